"""Documented maxima of counts and sizes (README.md, "Profiles"), in one place for the profile
schema and the command-line options that take the same quantities.

Each is far beyond any real system, and small enough that the engine's arithmetic on it stays
finite and exact in float64 and no search over it (the divisors of an accelerator count) runs
long. A profile, ``--set`` or option above one is refused like any other out-of-range value.
No imports: every command loads this module at start-up.
"""

MAX_ACCELERATORS_PER_SYSTEM = 1_000_000  # accelerator_count, gpus_per_instance, throughput --gpus
MAX_SYSTEMS = 10_000_000  # systems_count
MAX_DEVICES = 10_000_000_000  # devices_count
MAX_BATCH = 1_000_000  # batch, --batch
MAX_CONTEXT_TOKENS = 100_000_000  # context_tokens, sliding_window, --context, --prompt-tokens
MAX_PARAMS = 10**15  # total_params, active_params
MAX_LAYERS = 100_000  # layers, dense_layers, sliding_window_layers
MAX_DIMENSION = 10_000_000  # hidden_size, head_dim, ffn_size, moe_ffn_size, ranks
MAX_HEADS = 1_000_000  # attention_heads, kv_heads
MAX_EXPERTS = 1_000_000  # experts_total, experts_active, shared_experts
MAX_VOCAB = 100_000_000  # vocab_size
MAX_POWER_MW = 1_000_000  # fleet --power-mw: a terawatt
