#!/usr/bin/env python3
"""PyTorch's training speed on the shapes of npm run bench:train: the yardstick beside SpanTune's.

A BERT- or DistilBERT-layout QA model (written as Hugging Face's modeling code computes it, random
weights), trained as Hugging Face's Trainer does: train mode (dropout 0.1), start/end cross-entropy,
backward, clip_grad_norm_(1.0), torch.optim.AdamW with Trainer's decay groups, a linear schedule,
zero_grad. Each step is timed whole (wall clock, optimizer included) on full windows of SEQ tokens.
Prints one JSON line: the step times in seconds and the peak resident memory.

  /usr/bin/python3 bench/pytorch_train.py --layout bert --hidden 384 --layers 6 --heads 12 \
      --intermediate 1536 --seq 384 --batch 8 --steps 4 --threads 2
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn.functional as F


class Layer(torch.nn.Module):
    def __init__(self, h, heads, inter, distil):
        super().__init__()
        self.heads, self.distil = heads, distil
        self.q, self.k, self.v, self.o = (torch.nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = torch.nn.LayerNorm(h, eps=1e-12), torch.nn.LayerNorm(h, eps=1e-12)
        self.fc1, self.fc2 = torch.nn.Linear(h, inter), torch.nn.Linear(inter, h)
        self.drop = torch.nn.Dropout(0.1)

    def forward(self, x, mask):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        if self.distil:
            scores = (q / math.sqrt(d)) @ k.transpose(-1, -2)
            scores = scores.masked_fill(mask[:, None, None, :] == 0, torch.finfo(scores.dtype).min)
        else:
            scores = q @ k.transpose(-1, -2) / math.sqrt(d) + (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        ctx = (self.drop(torch.softmax(scores, -1)) @ v).transpose(1, 2).reshape(b, s, h)
        attended = self.o(ctx) if self.distil else self.drop(self.o(ctx))
        x = self.ln1(attended + x)
        return self.ln2(self.drop(self.fc2(F.gelu(self.fc1(x)))) + x)


class QaModel(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.distil = a.layout == 'distilbert'
        self.word = torch.nn.Embedding(30522, a.hidden, padding_idx=0)
        self.position = torch.nn.Embedding(512, a.hidden)
        self.token_type = None if self.distil else torch.nn.Embedding(2, a.hidden)
        self.ln = torch.nn.LayerNorm(a.hidden, eps=1e-12)
        self.drop = torch.nn.Dropout(0.1)
        self.layers = torch.nn.ModuleList(Layer(a.hidden, a.heads, a.intermediate, self.distil) for _ in range(a.layers))
        self.qa = torch.nn.Linear(a.hidden, 2)

    def forward(self, ids, types, mask):
        x = self.word(ids) + self.position(torch.arange(ids.shape[1]))[None]
        if self.token_type is not None:
            x = x + self.token_type(types)
        x = self.drop(self.ln(x))
        for layer in self.layers:
            x = layer(x, mask)
        if self.distil:
            x = self.drop(x)
        logits = self.qa(x)
        return logits[..., 0], logits[..., 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--layout', choices=['bert', 'distilbert'], default='bert')
    for name, default in [('hidden', 384), ('layers', 6), ('heads', 12), ('intermediate', 1536), ('seq', 384), ('batch', 8), ('steps', 4), ('threads', 2)]:
        ap.add_argument(f'--{name}', type=int, default=default)
    a = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(a.threads)
    model = QaModel(a).train()
    no_decay = lambda n: 'bias' in n or 'ln' in n.split('.')[-2]
    groups = [{'params': [p for n, p in model.named_parameters() if not no_decay(n)], 'weight_decay': 0.01},
              {'params': [p for n, p in model.named_parameters() if no_decay(n)], 'weight_decay': 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=3e-5)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: max(0.0, (a.steps - k) / a.steps))
    ids = torch.randint(1000, 30000, (a.batch, a.seq))
    types = (torch.arange(a.seq) > a.seq // 4).long().expand(a.batch, a.seq)
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    starts, ends = torch.randint(0, a.seq, (a.batch,)), torch.randint(0, a.seq, (a.batch,))
    times = []
    for _ in range(a.steps):
        began = time.perf_counter()
        start, end = model(ids, types, mask)
        loss = (F.cross_entropy(start, starts) + F.cross_entropy(end, ends)) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - began)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'step_seconds': times,
                      'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == '__main__':
    main()
