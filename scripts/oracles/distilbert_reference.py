#!/usr/bin/env python3
"""Reference start/end logits for ../shared/fixtures/models/tiny-distilbert-qa, computed in PyTorch
(float32 and float64) with a forward pass written from Hugging Face's DistilBertForQuestionAnswering
(eval mode): embeddings (word + position, LayerNorm), per layer attention with q scaled by 1/sqrt(d),
masked_fill(finfo.min), softmax, out_lin, sa_layer_norm(x + attn), FFN lin1-GELU(erf)-lin2,
output_layer_norm(sa + ffn); then qa_outputs. Writes test/fixtures/golden_forward_distilbert.json.

Run once with Debian's python3-torch: /usr/bin/python3 scripts/oracles/distilbert_reference.py
"""
import json
import math
import os
import sys

import numpy as np
import torch

from safetensors_np import read_safetensors

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, '..', 'shared', 'fixtures', 'models', 'tiny-distilbert-qa')


def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def forward(W, cfg, input_ids, attention_mask, dtype):
    t = {k: torch.tensor(v, dtype=dtype) for k, v in W.items()}
    ids = torch.tensor(input_ids)
    mask = torch.tensor(attention_mask)
    bsz, seq = ids.shape
    dim, heads = cfg['dim'], cfg['n_heads']
    d = dim // heads
    p = 'distilbert.'
    x = t[p + 'embeddings.word_embeddings.weight'][ids] + t[p + 'embeddings.position_embeddings.weight'][torch.arange(seq)][None]
    x = layer_norm(x, t[p + 'embeddings.LayerNorm.weight'], t[p + 'embeddings.LayerNorm.bias'], 1e-12)
    lin = lambda h, name: h @ t[name + '.weight'].T + t[name + '.bias']
    for i in range(cfg['n_layers']):
        l = f'{p}transformer.layer.{i}.'
        shape = lambda h: h.view(bsz, seq, heads, d).transpose(1, 2)
        q = shape(lin(x, l + 'attention.q_lin')) / math.sqrt(d)
        k = shape(lin(x, l + 'attention.k_lin'))
        v = shape(lin(x, l + 'attention.v_lin'))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill((mask == 0).view(bsz, 1, 1, seq), torch.finfo(dtype).min)
        ctx = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(bsz, seq, dim)
        sa = layer_norm(lin(ctx, l + 'attention.out_lin') + x, t[l + 'sa_layer_norm.weight'], t[l + 'sa_layer_norm.bias'], 1e-12)
        ffn = lin(torch.nn.functional.gelu(lin(sa, l + 'ffn.lin1')), l + 'ffn.lin2')
        x = layer_norm(ffn + sa, t[l + 'output_layer_norm.weight'], t[l + 'output_layer_norm.bias'], 1e-12)
    logits = lin(x, 'qa_outputs')
    return logits[..., 0].tolist(), logits[..., 1].tolist()


def main():
    cfg = json.load(open(os.path.join(MODEL, 'config.json')))
    W = read_safetensors(os.path.join(MODEL, 'model.safetensors'))
    rng = np.random.default_rng(20261127)
    cases = []
    for name, bsz, seq in [('short_b2', 2, 17), ('medium_b3', 3, 64), ('long_b1', 1, 384)]:
        ids = rng.integers(1000, 30000, size=(bsz, seq)).tolist()
        lengths = [seq] + [int(rng.integers(3, seq)) for _ in range(bsz - 1)]
        mask = [[1 if j < n else 0 for j in range(seq)] for n in lengths]
        for row, n in zip(ids, lengths):
            row[0] = 101
            row[n - 1] = 102
            for j in range(n, seq):
                row[j] = 0
        s32, e32 = forward(W, cfg, ids, mask, torch.float32)
        s64, e64 = forward(W, cfg, ids, mask, torch.float64)
        cases.append({'name': name, 'input_ids': ids, 'attention_mask': mask,
                      'start_logits_f32': s32, 'end_logits_f32': e32, 'start_logits_f64': s64, 'end_logits_f64': e64})
    out = {'description': __doc__.strip().split('\n')[0], 'torch': torch.__version__, 'cases': cases}
    path = os.path.join(ROOT, 'test', 'fixtures', 'golden_forward_distilbert.json')
    with open(path, 'w') as f:
        json.dump(out, f)
    print('wrote', path, file=sys.stderr)


if __name__ == '__main__':
    main()
