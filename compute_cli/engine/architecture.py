"""Transformer bookkeeping: parameters, KV-cache bytes and attention FLOPs from the architecture.

Counts follow the reference implementations (Hugging Face ``modeling_llama``,
``modeling_deepseek_v3``, ``modeling_mixtral``, ``modeling_qwen3_moe``,
``modeling_gpt_oss``). A SwiGLU feed-forward block has three matrices
(gate, up, down): 3 x hidden x ffn (Shazeer 2020, "GLU Variants Improve Transformer").
Works on scalars or numpy arrays alike.
"""

from __future__ import annotations

import numpy as np


def ffn_matrices(ffn_kind_is_swiglu):
    """Matrices per feed-forward block: 3 for SwiGLU (gate, up, down), 2 for a GELU MLP."""
    return np.where(ffn_kind_is_swiglu, 3, 2)


def attention_params_per_layer(hidden_size, attention_heads, kv_heads, head_dim, is_mla,
                               q_lora_rank, kv_lora_rank, qk_rope_head_dim, v_head_dim):
    """Weights of one attention block (biases and norms excluded, < 0.1 %).

    GQA: q and o are hidden x heads*head_dim, k and v hidden x kv_heads*head_dim.
    MLA (DeepSeek-V2/V3, arXiv 2405.04434): low-rank q and kv projections.

    >>> int(attention_params_per_layer(4096, 32, 8, 128, False, 0, 0, 0, 0))  # Llama-3.1-8B
    41943040
    """
    gqa = hidden_size * head_dim * (2 * attention_heads + 2 * kv_heads)
    q_dim = head_dim + qk_rope_head_dim  # head_dim holds qk_nope_head_dim for MLA
    mla = (
        hidden_size * q_lora_rank
        + q_lora_rank * attention_heads * q_dim
        + hidden_size * (kv_lora_rank + qk_rope_head_dim)
        + kv_lora_rank * attention_heads * (head_dim + v_head_dim)
        + attention_heads * v_head_dim * hidden_size
    )
    return np.where(is_mla, mla, gqa)


def expert_params(hidden_size, moe_ffn_size, ffn_kind_is_swiglu):
    """Weights of one routed expert [parameters]."""
    return ffn_matrices(ffn_kind_is_swiglu) * hidden_size * moe_ffn_size


def parameter_counts(m):
    """(total, active, expert_params_each, moe_layers, embedding_params) from a model profile.

    ``m`` is anything with the model profile's attribute names. Total counts
    every expert; active counts ``experts_active`` routed experts plus shared ones.
    """
    swiglu = m.ffn_kind == "swiglu"
    is_mla = m.attention == "mla"
    attn = attention_params_per_layer(m.hidden_size, m.attention_heads, m.kv_heads, m.head_dim, is_mla,
                                      m.q_lora_rank, m.kv_lora_rank, m.qk_rope_head_dim, m.v_head_dim)
    norms = 2 * m.hidden_size
    is_moe = m.experts_total > 0
    moe_layers = m.layers - m.dense_layers if is_moe else 0
    dense_ffn_layers = m.layers - moe_layers
    dense_ffn = ffn_matrices(swiglu) * m.hidden_size * m.ffn_size
    one_expert = expert_params(m.hidden_size, m.moe_ffn_size, swiglu) if is_moe else 0
    router = m.hidden_size * m.experts_total
    embedding = m.vocab_size * m.hidden_size
    embeddings_total = embedding * (1 if m.tied_embeddings else 2)
    common = m.layers * (attn + norms) + dense_ffn_layers * dense_ffn + m.hidden_size + embeddings_total
    moe_total = moe_layers * ((m.experts_total + m.shared_experts) * one_expert + router)
    moe_active = moe_layers * ((m.experts_active + m.shared_experts) * one_expert + router)
    return int(common + moe_total), int(common + moe_active), int(one_expert), int(moe_layers), int(embedding)


def kv_bytes_per_token_per_layer(kv_heads, head_dim, is_mla, kv_lora_rank, qk_rope_head_dim, kv_bytes_per_element):
    """KV-cache bytes one token occupies in one attention layer.

    GQA: keys and values, 2 x kv_heads x head_dim elements (Ainslie et al. 2023).
    MLA: one compressed latent of kv_lora_rank plus the shared RoPE key (DeepSeek-V2, sec. 2.1).

    >>> int(32 * kv_bytes_per_token_per_layer(8, 128, False, 0, 0, 2))  # Llama-3.1-8B, bf16
    131072
    """
    gqa = 2 * kv_heads * head_dim
    mla = kv_lora_rank + qk_rope_head_dim
    return np.where(is_mla, mla, gqa) * kv_bytes_per_element


def attention_flops_per_token_per_context(attention_heads, head_dim, is_mla, kv_lora_rank, qk_rope_head_dim, v_head_dim):
    """FLOPs one new token spends per layer per cached token: scores (QK^T) and the weighted sum (AV).

    GQA: 2 x heads x head_dim for QK^T plus the same for AV = 4 x heads x head_dim.
    MLA with absorbed projections (decode): scores over kv_lora_rank + rope dims,
    values over kv_lora_rank: 2 x heads x (2 x kv_lora_rank + rope).

    >>> int(attention_flops_per_token_per_context(32, 128, False, 0, 0, 0))
    16384
    """
    gqa = 4 * attention_heads * head_dim
    mla = 2 * attention_heads * (2 * kv_lora_rank + qk_rope_head_dim)
    return np.where(is_mla, mla, gqa)
