"""Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/): small valid inputs of each
format, made with the libraries that define the formats (safetensors, sentencepiece, tokenizers,
transformers), and a few hand-written edge cases. The fuzzer mutates these; the normal build's
tests run them through each target once. Run with the build's venv:
    build/venv/bin/python tests/fuzz/make_corpus.py
"""
import json
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def safetensors_file(header, data=b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    write("safetensors_header", "two-tensors", safetensors_file(
        {"__metadata__": {"format": "pt"}, "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
         "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]}}, bytes(22)))
    write("safetensors_header", "empty-and-scalar", safetensors_file(
        {"e": {"dtype": "I64", "shape": [0, 4], "data_offsets": [0, 0]},
         "s": {"dtype": "BOOL", "shape": [], "data_offsets": [0, 1]}}, bytes(1)))
    write("safetensors_header", "overlap", safetensors_file(
        {"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},
         "b": {"dtype": "I8", "shape": [4], "data_offsets": [2, 6]}}, bytes(6)))
    write("safetensors_index", "two-shards", json.dumps(
        {"metadata": {"total_size": 64}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                                                         "b": "model-00002-of-00002.safetensors"}}))
    write("safetensors_index", "escaping-shard", json.dumps({"weight_map": {"a": "../x.safetensors"}}))


def config_seeds():
    import transformers
    small = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, bos_token_id=1, eos_token_id=2, pad_token_id=None)
    configs = {
        "llama": transformers.LlamaConfig(**small, rope_scaling={"rope_type": "llama3", "factor": 8.0,
                                                                  "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                                  "original_max_position_embeddings": 64}),
        "mistral": transformers.MistralConfig(**small, sliding_window=8),
        "qwen2": transformers.Qwen2Config(**small, use_sliding_window=True, sliding_window=8, max_window_layers=1),
        "qwen3": transformers.Qwen3Config(**small, head_dim=8),
        "phi3": transformers.Phi3Config(**small),
        "gemma2": transformers.Gemma2Config(**small, head_dim=8),
        "gpt2": transformers.GPT2Config(vocab_size=64, n_embd=16, n_layer=2, n_head=4, n_positions=32,
                                       bos_token_id=1, eos_token_id=2),
    }
    for name, config in configs.items():
        write("model_config", name, config.to_json_string())


def sentencepiece_seeds():
    import sentencepiece as spm
    text = "Hello world. Tokenizers split text into pieces.\nÜnïcödé and 日本語 too. 🙂\n" * 20
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "text.txt")
        with open(corpus, "w") as f:
            f.write(text)
        rules = os.path.join(tmp, "rules.tsv")
        with open(rules, "w") as f:
            f.write("41\t61\n")  # "A" -> "a": a small precompiled character map
        for name, options in {"bpe-identity": dict(vocab_size=80, normalization_rule_name="identity"),
                              "bpe-byte-fallback": dict(vocab_size=330, byte_fallback=True,
                                                        normalization_rule_name="identity"),
                              "bpe-charsmap": dict(vocab_size=80, normalization_rule_tsv=rules)}.items():
            prefix = os.path.join(tmp, name)
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, model_type="bpe",
                                           character_coverage=1.0, minloglevel=2, **options)
            with open(prefix + ".model", "rb") as f:
                write("sentencepiece_model", name, f.read())


def tokenizer_json_seeds():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    text = ["Hello world, hello tokenizers!", "Ünïcödé 日本語 🙂 123 4.5", "  spaces\tand\nlines  "] * 10

    def trained(model, trainer, **parts):
        tokenizer = Tokenizer(model)
        for key, value in parts.items():
            setattr(tokenizer, key, value)
        tokenizer.train_from_iterator(text, trainer)
        return tokenizer.to_str()

    special = ["<s>", "</s>", "<|im_end|>"]
    write("tokenizer_json", "byte-level", trained(
        models.BPE(), trainers.BpeTrainer(vocab_size=120, special_tokens=special,
                                          initial_alphabet=pre_tokenizers.ByteLevel.alphabet()),
        pre_tokenizer=pre_tokenizers.ByteLevel(add_prefix_space=False), decoder=decoders.ByteLevel(),
        post_processor=processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 0)])))
    write("tokenizer_json", "metaspace-byte-fallback", trained(
        models.BPE(unk_token="<unk>", byte_fallback=True),
        trainers.BpeTrainer(vocab_size=120, special_tokens=["<unk>"] + special),
        normalizer=normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" ", "\u2581")]),
        pre_tokenizer=pre_tokenizers.Metaspace(), decoder=decoders.Sequence(
            [decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])))
    write("tokenizer_json", "split-digits", trained(
        models.BPE(), trainers.BpeTrainer(vocab_size=100, special_tokens=special),
        normalizer=normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()]),
        pre_tokenizer=pre_tokenizers.Sequence([pre_tokenizers.Split(r"\s+", "isolated"),
                                               pre_tokenizers.Digits(individual_digits=True),
                                               pre_tokenizers.Punctuation()])))


def chat_template_seeds():
    import chat_template_cases as cases
    for name, template in {**cases.CONSTRUCTS, **cases.FORMATS}.items():
        write("chat_template", name, template if isinstance(template, str) else template[0])


def jsonl_seeds():
    write("jsonl_example", "prompt-completion", '{"prompt": "2+2=", "completion": " 4"}\n'
                                                '{"prompt": "Capital of France?", "completion": " Paris"}\n')
    write("jsonl_example", "chat", json.dumps({"messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!", "weight": 1}]}) + "\n")
    write("jsonl_example", "problems", '\ufeff{"prompt": "a"}\r\n\n{"messages": [{"role": "bot", "content": 1}]}\n'
                                       'not json\n{"prompt": "x", "completion": "y", "extra": true}\n')


def request_seeds():
    write("training_request", "full", json.dumps({
        "model": "tiny-llama", "training_file": "train.jsonl", "validation_file": "valid.jsonl", "method": "full",
        "hyperparameters": {"n_epochs": 3, "batch_size": "auto", "learning_rate_multiplier": 0.1,
                            "prompt_loss_weight": 0.01}, "suffix": "bot", "seed": 42}))
    write("training_request", "lora", json.dumps({
        "model": "m", "training_file": "t.jsonl", "method": {"type": "lora"}, "merge": True,
        "hyperparameters": {"lora_rank": 8, "lora_alpha": 16, "lora_dropout": 0.05,
                            "lora_target_modules": ["q_proj", "v_proj"]}}))
    write("plugin_options", "all", json.dumps({"workspace": "/tmp/ws", "device": "cuda:0",
                                               "max_concurrent_jobs": 2, "threads": 4}))
    write("plugin_options", "minimal", json.dumps({"workspace": "ws"}))


if __name__ == "__main__":
    safetensors_seeds()
    config_seeds()
    sentencepiece_seeds()
    tokenizer_json_seeds()
    chat_template_seeds()
    jsonl_seeds()
    request_seeds()
