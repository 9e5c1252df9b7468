"""Hugging Face transformers as the live oracle for the engine's models.

usage: model_cases.py --list
       model_cases.py OUT_DIR TOKENIZER_MODEL [CASE ...]

For every case (an architecture in one shape, saved in one way), transformers builds a small
random model, saves it with save_pretrained, and computes from exactly the saved weights:
  - logits, loss and every parameter's gradient on a batch of two rows (labels = input ids);
  - for the engine's packed rows: each of three examples of different lengths run alone, its
    logits, and the loss and gradients of all three together (summed token losses over the
    total number of predicted tokens), which the engine must reproduce with the examples
    packed into one row;
  - sentencepiece's ids for a few texts, with the case's tokenizer.model.
Written as reference.safetensors and reference.json beside the checkpoint, which is what
build/tools/hf-parity reads.
"""
import os
import shutil
import sys

import sentencepiece as spm
import torch
from transformers import (Gemma2Config, Gemma2ForCausalLM, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM,
                          MistralConfig, MistralForCausalLM, Phi3Config, Phi3ForCausalLM, Qwen2Config, Qwen2ForCausalLM,
                          Qwen3Config, Qwen3ForCausalLM)
from transformers.utils import logging as transformers_logging

import case_script
from reference import batch_reference, packed_reference, write_reference

VOCAB = 512  # the tokenizer.model every case carries
TEXTS = [
    "The licensee may copy and distribute verbatim copies.",
    "Hyper-parameters are like the settings on a camera; batch size 10, 3 epochs.",
    "Unicode: déjà vu ✓ — naïve café 42 \u4e2d\u6587",
]
BATCH, TIME = 2, 24
PACKED_LENGTHS = (9, 15, 6)


def llama_family(config_class, model_class, **shape):
    base = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-6, tie_word_embeddings=False,
                bos_token_id=1, eos_token_id=2, attention_dropout=0.0, initializer_range=0.1)
    base.update(shape)
    return lambda: model_class(config_class(**base))


def llama(**shape):
    return llama_family(LlamaConfig, LlamaForCausalLM, **shape)


def mistral(**shape):
    shape.setdefault("sliding_window", 4096)  # longer than every sequence here, as in released checkpoints
    return llama_family(MistralConfig, MistralForCausalLM, **shape)


def qwen2(**shape):
    return llama_family(Qwen2Config, Qwen2ForCausalLM, **shape)


def qwen3(**shape):
    return llama_family(Qwen3Config, Qwen3ForCausalLM, **shape)


def phi3(**shape):
    return llama_family(Phi3Config, Phi3ForCausalLM, pad_token_id=0, **shape)


def gemma2(**shape):
    # Soft-capped attention is the eager implementation's (SDPA has no soft cap).
    base = dict(head_dim=32, query_pre_attn_scalar=24, sliding_window=5, attn_logit_softcapping=3.0,
                final_logit_softcapping=5.0, tie_word_embeddings=True, attn_implementation="eager")
    base.update(shape)
    return llama_family(Gemma2Config, Gemma2ForCausalLM, **base)


def gpt2(**shape):
    base = dict(vocab_size=VOCAB, n_embd=64, n_layer=2, n_head=4, n_positions=128, resid_pdrop=0.0,
                embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=1, eos_token_id=2, initializer_range=0.1)
    base.update(shape)
    return lambda: GPT2LMHeadModel(GPT2Config(**base))


def rope(kind, **extra):
    return dict(rope_type=kind, rope_theta=extra.pop("theta", 10000.0), **extra)


# name: (model builder, how the weights are saved)
CASES = {
    "llama-gqa-f32": (llama(), "f32"),
    "llama-mha-tied-f32": (llama(num_key_value_heads=4, tie_word_embeddings=True), "f32"),
    "llama-mqa-bias-f32": (llama(num_key_value_heads=1, attention_bias=True, mlp_bias=True, head_dim=32), "f32"),
    "llama-linear-rope-bf16": (llama(rope_parameters=rope("linear", factor=4.0)), "bf16"),
    "llama-llama3-rope-sharded": (llama(rope_parameters=rope("llama3", theta=500000.0, factor=8.0, low_freq_factor=1.0,
                                                             high_freq_factor=4.0, original_max_position_embeddings=16),
                                        tie_word_embeddings=True), "sharded"),
    "mistral-gqa-f32": (mistral(), "f32"),
    "mistral-gqa-bf16-sharded": (mistral(num_key_value_heads=1), "bf16-sharded"),
    "mistral-sliding-window-f32": (mistral(sliding_window=7), "f32"),
    "qwen2-qkv-bias-f32": (qwen2(), "f32"),
    "qwen2-tied-bf16": (qwen2(num_key_value_heads=1, tie_word_embeddings=True), "bf16"),
    "qwen3-qk-norm-f32": (qwen3(head_dim=32), "f32"),
    "qwen3-bias-sharded": (qwen3(head_dim=16, attention_bias=True, num_key_value_heads=4), "sharded"),
    "phi3-fused-f32": (phi3(), "f32"),
    "phi3-sliding-window-bf16": (phi3(num_key_value_heads=4, sliding_window=6), "bf16"),
    "gemma2-f32": (gemma2(), "f32"),
    "gemma2-no-softcap-sharded": (gemma2(attn_logit_softcapping=None, final_logit_softcapping=None, num_hidden_layers=3,
                                         tie_word_embeddings=False), "sharded"),
    "gpt2-tied-f32": (gpt2(), "f32"),
    "gpt2-untied-bf16": (gpt2(tie_word_embeddings=False, activation_function="gelu"), "bf16"),
    "gpt2-inverse-layer-scale-sharded": (gpt2(n_layer=3, scale_attn_by_inverse_layer_idx=True, n_inner=96), "sharded"),
}


def randomize(model, seed):
    """Every parameter random, norms and biases included, so that a mistake in any of them shows."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if p.dim() == 1 and not name.endswith("bias"):  # a norm's gain
                p.copy_(1.0 + 0.2 * noise)
            elif p.dim() == 1:
                p.copy_(0.1 * noise)
            else:
                p.copy_(0.1 * noise)


def save(model, folder, how):
    """Saves as asked and returns the model as transformers loads it back in fp32, so that the
    reference comes from exactly the saved weights (and rotary tables computed in fp32)."""
    if "bf16" in how:
        model = model.to(torch.bfloat16)
    kwargs = {"max_shard_size": "100KB"} if "sharded" in how else {}
    model.save_pretrained(folder, **kwargs)
    return type(model).from_pretrained(folder, dtype=torch.float32)


def make_case(out, tokenizer_model, name, seed):
    build, how = CASES[name]
    folder = os.path.join(out, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    torch.manual_seed(seed)
    model = build()
    randomize(model, seed)
    model = save(model, folder, how)
    shutil.copy(tokenizer_model, os.path.join(folder, "tokenizer.model"))
    g = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(3, VOCAB, (BATCH, TIME), generator=g)
    examples = [torch.randint(3, VOCAB, (n,), generator=g) for n in PACKED_LENGTHS]
    tensors = batch_reference(model, ids)
    tensors.update(packed_reference(model, examples))
    sp = spm.SentencePieceProcessor(model_file=tokenizer_model)
    tokenizer_check = {"texts": TEXTS, "ids": [sp.encode(t) for t in TEXTS], "bos_id": sp.bos_id(), "eos_id": sp.eos_id()}
    write_reference(folder, tensors, tokenizer_check, case=name, model_class=type(model).__name__, saved_as=how,
                    sentencepiece=spm.__version__)
    print(f"{name}: {type(model).__name__}, saved {how}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"loss {float(tensors['loss']):.6f}")


def main(argv):
    transformers_logging.disable_progress_bar()
    return case_script.run(argv, __doc__, list(CASES),
                           lambda out, tokenizer, name, index: make_case(out, tokenizer, name, 1000 + index), extra_args=1)

if __name__ == "__main__":
    sys.exit(main(sys.argv))
