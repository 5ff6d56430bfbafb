#!/usr/bin/env python3
"""PyTorch's forward speed on a BERT QA checkpoint, the yardstick of `npm run bench:infer`.

Reads a model folder (BERT layout, F32 safetensors), runs the forward pass of Hugging Face's
BertForQuestionAnswering (eval mode, written here from modeling_bert.py) under torch.inference_mode
on batches of BATCH windows of SEQ tokens, and prints one JSON line: windows/s (median of RUNS timed
batches after a warm-up), threads, torch version. With --export FILE it also writes the model as
torch.onnx exports it (opset 14), for comparing graphs.

  /usr/bin/python3 bench/pytorch_infer.py MODEL_DIR --batch 8 --seq 384 --runs 5 --threads 2
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts', 'oracles'))
from safetensors_np import read_safetensors  # noqa: E402


class BertQa(torch.nn.Module):
    def __init__(self, weights, cfg):
        super().__init__()
        self.cfg = cfg
        self.names = list(weights)
        for i, (name, value) in enumerate(weights.items()):
            self.register_buffer(f'w{i}', torch.from_numpy(value))
        self.index = {name: i for i, name in enumerate(self.names)}

    def p(self, name):
        return getattr(self, f'w{self.index[name]}')

    def forward(self, input_ids, attention_mask, token_type_ids):
        cfg = self.cfg
        bsz, seq = input_ids.shape
        heads = cfg['num_attention_heads']
        d = cfg['hidden_size'] // heads
        eps = cfg.get('layer_norm_eps', 1e-12)
        ln = lambda x, n: torch.nn.functional.layer_norm(x, (cfg['hidden_size'],), self.p(n + '.weight'), self.p(n + '.bias'), eps)
        lin = lambda x, n: torch.nn.functional.linear(x, self.p(n + '.weight'), self.p(n + '.bias'))
        x = (self.p('bert.embeddings.word_embeddings.weight')[input_ids]
             + self.p('bert.embeddings.position_embeddings.weight')[:seq][None]
             + self.p('bert.embeddings.token_type_embeddings.weight')[token_type_ids])
        x = ln(x, 'bert.embeddings.LayerNorm')
        bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(cfg['num_hidden_layers']):
            p = f'bert.encoder.layer.{i}.'
            split = lambda h: h.view(bsz, seq, heads, d).transpose(1, 2)
            q, k, v = (split(lin(x, p + 'attention.self.' + n)) for n in ('query', 'key', 'value'))
            probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
            ctx = (probs @ v).transpose(1, 2).reshape(bsz, seq, -1)
            h = ln(lin(ctx, p + 'attention.output.dense') + x, p + 'attention.output.LayerNorm')
            inner = torch.nn.functional.gelu(lin(h, p + 'intermediate.dense'))
            x = ln(lin(inner, p + 'output.dense') + h, p + 'output.LayerNorm')
        logits = lin(x, 'qa_outputs')
        return logits[..., 0], logits[..., 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--seq', type=int, default=384)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--export')
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    with open(os.path.join(args.model, 'config.json')) as f:
        cfg = json.load(f)
    model = BertQa(read_safetensors(os.path.join(args.model, 'model.safetensors')), cfg).eval()
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, cfg['vocab_size'], (args.batch, args.seq), generator=g)
    mask = torch.ones_like(ids)
    types = torch.zeros_like(ids)
    if args.export:
        torch.onnx.export(model, (ids, mask, types), args.export, opset_version=14,
                          input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['start_logits', 'end_logits'],
                          dynamic_axes={n: {0: 'batch', 1: 'sequence'} for n in ['input_ids', 'attention_mask', 'token_type_ids', 'start_logits', 'end_logits']})
    times = []
    with torch.inference_mode():
        model(ids, mask, types)
        for _ in range(args.runs):
            started = time.perf_counter()
            model(ids, mask, types)
            times.append(time.perf_counter() - started)
    print(json.dumps({'engine': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': args.batch, 'seq': args.seq,
                      'windows_per_s': round(args.batch / statistics.median(times), 2), 'seconds_per_batch': [round(t, 3) for t in times]}))


if __name__ == '__main__':
    main()
