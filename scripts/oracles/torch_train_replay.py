#!/usr/bin/env python3
"""Replays a SpanTune training run in PyTorch and prints its per-step losses.

Input: a model folder (BERT, Hub layout, F32 safetensors) and the JSONL written by
`spantune train --dump-features F` (every feature, then each step's micro-batches). The replay uses
PyTorch's own pieces where Hugging Face does: torch.optim.AdamW with Trainer's parameter groups (no
weight decay on biases and LayerNorm weights), the linear warm-up/decay schedule of
get_linear_schedule_with_warmup through LambdaLR, clip_grad_norm_, nn.functional.embedding with
padding_idx, CrossEntropyLoss; the BERT forward is written from Hugging Face's modeling_bert (eval
semantics, no dropout). Each micro-batch loss is weighted by its share of the step's features.

  /usr/bin/python3 scripts/oracles/torch_train_replay.py MODEL_DIR DUMP.jsonl --lr 1e-3 --warmup-ratio 0.2 \
      --weight-decay 0.01 --max-grad-norm 1.0 > losses.json
"""
import argparse
import json
import math
import os


import torch

from safetensors_np import read_safetensors


def bert_qa_logits(P, cfg, ids, types, mask):
    bsz, seq = ids.shape
    heads = cfg['num_attention_heads']
    d = cfg['hidden_size'] // heads
    eps = cfg['layer_norm_eps']
    ln = lambda x, name: torch.nn.functional.layer_norm(x, (x.shape[-1],), P[name + '.weight'], P[name + '.bias'], eps)
    lin = lambda x, name: torch.nn.functional.linear(x, P[name + '.weight'], P[name + '.bias'])
    x = (torch.nn.functional.embedding(ids, P['bert.embeddings.word_embeddings.weight'], padding_idx=cfg.get('pad_token_id', 0))
         + P['bert.embeddings.position_embeddings.weight'][torch.arange(seq)][None]
         + torch.nn.functional.embedding(types, P['bert.embeddings.token_type_embeddings.weight']))
    x = ln(x, 'bert.embeddings.LayerNorm')
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
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
    ap.add_argument('dump')
    ap.add_argument('--lr', type=float, required=True)
    ap.add_argument('--warmup-ratio', type=float, default=0.0)
    ap.add_argument('--weight-decay', type=float, default=0.01)
    ap.add_argument('--max-grad-norm', type=float, default=1.0)
    args = ap.parse_args()

    cfg = json.load(open(os.path.join(args.model, 'config.json')))
    P = {k: torch.nn.Parameter(torch.tensor(v)) for k, v in read_safetensors(os.path.join(args.model, 'model.safetensors')).items()}
    features, steps = [], []
    for line in open(args.dump):
        row = json.loads(line)
        (features if row['type'] == 'feature' else steps).append(row)

    no_decay = lambda name: 'bias' in name or 'LayerNorm' in name
    groups = [
        {'params': [p for n, p in P.items() if not no_decay(n)], 'weight_decay': args.weight_decay},
        {'params': [p for n, p in P.items() if no_decay(n)], 'weight_decay': 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    total = len(steps)
    warmup = math.ceil(total * args.warmup_ratio)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: k / max(1, warmup) if k < warmup else max(0.0, (total - k) / max(1, total - warmup)))

    losses = []
    for step in steps:
        optimizer.zero_grad()
        size = sum(len(m) for m in step['micro_batches'])
        step_loss = 0.0
        for micro in step['micro_batches']:
            rows = [features[i] for i in micro]
            t = lambda key: torch.tensor([r[key] for r in rows])
            start, end = bert_qa_logits(P, cfg, t('input_ids'), t('token_type_ids'), t('attention_mask'))
            ce = torch.nn.CrossEntropyLoss()
            loss = (ce(start, t('start_position')) + ce(end, t('end_position'))) / 2 * (len(micro) / size)
            loss.backward()
            step_loss += loss.item()
        norm = torch.nn.utils.clip_grad_norm_(list(P.values()), args.max_grad_norm)
        optimizer.step()
        schedule.step()
        losses.append({'step': step['step'], 'loss': step_loss, 'grad_norm': float(norm)})
    print(json.dumps({'torch': torch.__version__, 'losses': losses}))


if __name__ == '__main__':
    main()
