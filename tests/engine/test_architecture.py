"""Parameter counts, KV-cache bytes and attention FLOPs from architecture numbers
(compute_cli/engine/architecture.py, compute_cli/inputs.model_fields)."""

from __future__ import annotations

import pytest
import numpy as np

from compute_cli import inputs
from compute_cli.engine import architecture
from compute_cli.engine.efficiency import KV_BYTES_PER_ELEMENT
from compute_cli.profiles.schema import Model


def llama(**kw) -> Model:
    base = dict(id="llama-3.1-8b", name="Llama 3.1 8B", total_params=8_030_261_248, active_params=8_030_261_248,
                layers=32, hidden_size=4096, attention_heads=32, kv_heads=8, head_dim=128, ffn_kind="swiglu",
                ffn_size=14336, vocab_size=128256, tied_embeddings=False)
    base.update(kw)
    return Model(**base)


LLAMA_8B = llama()
# Llama-3.1-70B: 80 layers, hidden 8192, 64 query heads, 8 KV heads, head_dim 128, FFN 28672 (config.json)
LLAMA_70B = llama(id="llama-3.1-70b", name="Llama 3.1 70B", total_params=70_553_706_496,
                  active_params=70_553_706_496, layers=80, hidden_size=8192, attention_heads=64, ffn_size=28672)
# Mixtral-8x7B: 32 layers, 8 experts of 3 x 4096 x 14336, top-2, vocab 32000, untied (config.json)
MIXTRAL = llama(id="mixtral-8x7b", name="Mixtral 8x7B", total_params=46_702_792_704, active_params=12_879_925_248,
                vocab_size=32000, experts_total=8, experts_active=2, moe_ffn_size=14336)
# DeepSeek-V3: 61 layers, MLA with kv_lora_rank 512 and a 64-wide shared RoPE key (config.json)
DEEPSEEK_V3 = llama(id="deepseek-v3", name="DeepSeek-V3", layers=61, hidden_size=7168, attention_heads=128,
                    kv_heads=128, head_dim=128, attention="mla", kv_lora_rank=512, qk_rope_head_dim=64,
                    q_lora_rank=1536, v_head_dim=128)


def test_kv_bytes_per_token_llama_8b_bf16():
    # 2 (K and V) x 8 KV heads x 128 head_dim x 2 bytes = 4096 B per layer; x 32 layers = 131,072 B
    per_layer = architecture.kv_bytes_per_token_per_layer(8, 128, False, 0, 0, KV_BYTES_PER_ELEMENT["bf16"])
    assert float(per_layer) == 4096.0
    assert 32 * float(per_layer) == 131_072
    assert inputs.model_fields(LLAMA_8B, "bf16")["kv_bytes_per_token_full"] == 131_072


def test_kv_bytes_per_token_llama_70b_bf16():
    # same 4096 B per layer, x 80 layers = 327,680 B
    assert inputs.model_fields(LLAMA_70B, "bf16")["kv_bytes_per_token_full"] == 327_680


def test_kv_bytes_fp8_is_half():
    assert inputs.model_fields(LLAMA_8B, "fp8")["kv_bytes_per_token_full"] == 65_536


def test_kv_bytes_mla_deepseek_v3():
    # MLA caches the 512-wide latent plus the 64-wide RoPE key: 576 elements x 2 B = 1152 B per layer
    # (DeepSeek-V2, arXiv 2405.04434, Table 1: (d_c + d_h^R) l); x 61 layers = 70,272 B per token.
    assert inputs.model_fields(DEEPSEEK_V3, "bf16")["kv_bytes_per_token_full"] == 70_272


def test_sliding_window_layers_split_the_kv_cache():
    m = llama(sliding_window=4096, sliding_window_layers=16)
    f = inputs.model_fields(m, "bf16")
    # 16 full + 16 windowed layers of 4096 B each
    assert f["kv_bytes_per_token_full"] == 16 * 4096
    assert f["kv_bytes_per_token_window"] == 16 * 4096
    assert f["window_tokens"] == 4096


def test_parameter_count_llama_8b():
    # Published: 8,030,261,248 parameters (Hugging Face meta-llama/Llama-3.1-8B safetensors).
    # attention 4096 x 128 x (2 x 32 + 2 x 8) = 41,943,040; SwiGLU 3 x 4096 x 14336 = 176,160,768;
    # norms 2 x 4096; per layer 218,112,000 x 32 = 6,979,584,000;
    # embeddings 2 x 128256 x 4096 = 1,050,673,152; final norm 4096 -> 8,030,261,248
    total, active, one_expert, moe_layers, embedding = architecture.parameter_counts(LLAMA_8B)
    assert total == active == 8_030_261_248
    assert (one_expert, moe_layers) == (0, 0)
    assert embedding == 128256 * 4096


def test_parameter_count_llama_70b():
    # Published: 70,553,706,496 (meta-llama/Llama-3.1-70B).
    total, active, *_ = architecture.parameter_counts(LLAMA_70B)
    assert total == active == 70_553_706_496


def test_parameter_count_mixtral():
    # Published: 46,702,792,704 total (mistralai/Mixtral-8x7B-v0.1); 12.9 B active.
    # active = 32 x (41,943,040 + 8192) + 2 x 32000 x 4096 + 4096 + 32 x (2 x 176,160,768 + 4096 x 8)
    #        = 1,342,439,424 + 262,144,000 + 4096 + 11,275,337,728 = 12,879,925,248
    total, active, one_expert, moe_layers, _ = architecture.parameter_counts(MIXTRAL)
    assert total == 46_702_792_704
    assert active == 12_879_925_248
    assert one_expert == 3 * 4096 * 14336
    assert moe_layers == 32


def test_parameter_count_toy_moe_fixture(wide_catalog):
    # The toy-moe profile states its totals (hand-computed in its YAML comment); the counter must agree.
    m = wide_catalog.model("toy-moe")
    total, active, one_expert, moe_layers, _ = architecture.parameter_counts(m)
    assert (total, active) == (m.total_params, m.active_params) == (325_121_000, 85_121_000)
    assert one_expert == 3_000_000 and moe_layers == 10


def test_swiglu_has_three_matrices_gelu_two():
    assert int(architecture.ffn_matrices(True)) == 3
    assert int(architecture.ffn_matrices(False)) == 2
    gelu = llama(ffn_kind="gelu")
    swiglu_total = architecture.parameter_counts(LLAMA_8B)[0]
    gelu_total = architecture.parameter_counts(gelu)[0]
    assert swiglu_total - gelu_total == 32 * 4096 * 14336  # one matrix per layer fewer


def test_tied_embeddings_count_once():
    untied = architecture.parameter_counts(LLAMA_8B)[0]
    tied = architecture.parameter_counts(llama(tied_embeddings=True))[0]
    assert untied - tied == 128256 * 4096


def test_attention_flops_per_context_token():
    # QK^T: 2 x 32 x 128 = 8192; AV the same: 16,384 FLOPs per layer per cached token
    assert int(architecture.attention_flops_per_token_per_context(32, 128, False, 0, 0, 0)) == 16_384
    # MLA absorbed: 2 x 128 x (2 x 512 + 64) = 278,528
    assert int(architecture.attention_flops_per_token_per_context(128, 128, True, 512, 64, 128)) == 278_528


def test_broadcasting():
    kv = architecture.kv_bytes_per_token_per_layer(np.array([8, 8, 1]), 128, np.array([False, False, True]), 512, 64,
                                                   np.array([2.0, 1.0, 2.0]))
    np.testing.assert_array_equal(kv, [4096.0, 2048.0, 1152.0])


# Published totals, each with its source (figures.md section H, model cards):
PUBLISHED_TOTALS = {
    "llama-3.1-8b": 8.03e9,  # HF safetensors count 8,030,261,248
    "llama-3.1-70b": 70.55e9,  # HF 70,553,706,496
    "llama-3.1-405b": 405.85e9,  # HF card "406B" (figures.md's 404.65e9 conflicts with its own architecture)
    "deepseek-v3": 671e9,  # DeepSeek-V3 report: 671B total (MTP module excluded)
    "qwen3-235b-a22b": 235e9,  # Qwen3 report: 235B
    "gpt-oss-120b": 116.8e9,  # OpenAI gpt-oss model card: 116.8B
    "gpt-oss-20b": 20.9e9,  # model card: 20.9B
    "mixtral-8x7b": 46.7e9,  # Mistral: 46.7B
    "llama-2-7b": 6.74e9,
    "llama-2-13b": 13.02e9,
    "llama-2-70b": 68.98e9,
    "qwen3-32b": 32.8e9,  # Qwen3-32B card
}


@pytest.mark.parametrize("model_id", sorted(PUBLISHED_TOTALS))
def test_shipped_architecture_matches_published_total_within_one_percent(model_id):
    from compute_cli.profiles.catalog import Catalog

    model = Catalog(environ={}).model(model_id)
    total = architecture.parameter_counts(model)[0]
    assert total == pytest.approx(PUBLISHED_TOTALS[model_id], rel=0.01)
    assert total == pytest.approx(model.total_params, rel=0.01)


def test_every_shipped_model_has_a_published_total_checked():
    from compute_cli.profiles.catalog import Catalog

    assert set(Catalog(environ={}).ids("models")) == set(PUBLISHED_TOTALS)
