"""Reads an F32 safetensors file into numpy arrays (no `safetensors` package on these machines)."""
import json
import struct

import numpy as np


def read_safetensors(path):
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32', f'{name}: only F32 is supported here'
        a, b = info['data_offsets']
        out[name] = np.frombuffer(blob[8 + n + a:8 + n + b], dtype='<f4').reshape(info['shape']).copy()
    return out
