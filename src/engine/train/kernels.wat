;; The engine's two per-step loops over every weight and every dropout mask, four floats at a time
;; (WebAssembly SIMD). Each gives bit for bit what its scalar definition in TypeScript gives
;; (dropout.ts, adamw-float32.ts): the same integer operations, and the same float32 operations in
;; the same order (a float32 operation in WebAssembly rounds once, as Math.fround of the exact double
;; result does). Both work on buffers inside this module's memory; the callers copy chunks in and out.
;; Compiled into kernels-wasm.ts by `npm run build:kernels`.
(module
  ;; One 64 KiB page: four chunks of 4096 floats for AdamW, one of 16384 floats for a mask.
  (memory (export "memory") 1)

  ;; Fills $n floats at $out (n a multiple of 4) with the inverted-dropout mask of mulberry32: lane i
  ;; advances the generator state to $state + (i + 1)·0x6d2b79f5, mixes it, and keeps the value
  ;; ($keepBits, the bits of 1/(1 − rate)) where the 32-bit output, unsigned, is >= $threshold.
  (func (export "dropoutMask") (param $out i32) (param $n i32) (param $state i32) (param $threshold i32) (param $keepBits i32)
    (local $end i32) (local $s v128) (local $t v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    ;; the states of the first four values: 1, 2, 3 and 4 increments past $state
    (local.set $s (i32x4.add (i32x4.splat (local.get $state))
      (v128.const i32x4 0x6d2b79f5 0xda56f3ea 0x47826ddf 0xb4ade7d4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        ;; t = imul(s ^ (s >>> 15), 1 | s)
        (local.set $t (i32x4.mul
          (v128.xor (local.get $s) (i32x4.shr_u (local.get $s) (i32.const 15)))
          (v128.or (local.get $s) (i32x4.splat (i32.const 1)))))
        ;; t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t
        (local.set $t (v128.xor (local.get $t)
          (i32x4.add (local.get $t) (i32x4.mul
            (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7)))
            (v128.or (local.get $t) (i32x4.splat (i32.const 61)))))))
        ;; output = t ^ (t >>> 14); kept where output >= threshold
        (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))
        (v128.store (local.get $out)
          (v128.and (i32x4.splat (local.get $keepBits)) (i32x4.ge_u (local.get $t) (i32x4.splat (local.get $threshold)))))
        ;; four increments of 0x6d2b79f5
        (local.set $s (i32x4.add (local.get $s) (i32x4.splat (i32.const 0xb4ade7d4))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next))))

  ;; One AdamW update of $n floats (a multiple of 4) of the parameter $p, gradient $g and moments $m,
  ;; $v, in place, in torch's order (see adamw-float32.ts; a scale or decay of 1 changes nothing):
  ;;   g ← g·scale;  m ← m + (1 − β1)·(g − m);  v ← v·β2 + (g·(1 − β2))·g
  ;;   p ← p·decay + (negStep·m) / (sqrt(v) / bc2 + ε)
  (func (export "adamW") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $scale f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $bc2 f32) (param $epsilon f32) (param $decay f32) (param $negStep f32)
    (local $at i32) (local $end i32) (local $gi v128) (local $mi v128) (local $vi v128) (local $denom v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $gi (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $at))) (f32x4.splat (local.get $scale))))
        (local.set $mi (v128.load (i32.add (local.get $m) (local.get $at))))
        (local.set $mi (f32x4.add (local.get $mi)
          (f32x4.mul (f32x4.splat (local.get $oneMinusBeta1)) (f32x4.sub (local.get $gi) (local.get $mi)))))
        (local.set $vi (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (f32x4.splat (local.get $beta2)))
          (f32x4.mul (f32x4.mul (local.get $gi) (f32x4.splat (local.get $oneMinusBeta2))) (local.get $gi))))
        (v128.store (i32.add (local.get $m) (local.get $at)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $at)) (local.get $vi))
        (local.set $denom (f32x4.add
          (f32x4.div (f32x4.sqrt (local.get $vi)) (f32x4.splat (local.get $bc2)))
          (f32x4.splat (local.get $epsilon))))
        (v128.store (i32.add (local.get $p) (local.get $at))
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $at))) (f32x4.splat (local.get $decay)))
            (f32x4.div (f32x4.mul (f32x4.splat (local.get $negStep)) (local.get $mi)) (local.get $denom))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $next))))
)
