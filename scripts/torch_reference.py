#!/usr/bin/python3
"""The TSL Transformer classifier in PyTorch, the reference a user would otherwise pick.

Same layers, parameter names and attention formulas as eaformer's TslClassifier
(src/models/tsl_transformer.h, src/attention/*_kernels.h). Needs Debian's python3-torch
and python3-h5py (scripts/install_deps.sh --python); run it with /usr/bin/python3.

    # same forward output and gradients as eaformer, on a shared random input:
    build/eaformer bench model --kind ea6 --length 64 --export /tmp/check.h5
    scripts/torch_reference.py check /tmp/check.h5
    # training throughput and peak RSS at one length (one configuration per process):
    OPENBLAS_NUM_THREADS=2 scripts/torch_reference.py bench --kind ea6 --length 1024 --threads 2

Debian's torch calls the system BLAS: install libopenblas0-pthread (install_deps.sh
--python does), or its matrix products run on the reference BLAS, ~10x slower.

`check` loads eaformer's weights and input from the file, recomputes logits, loss and
every gradient in float64 and exits 1 if any differs from eaformer's float32 result by
more than --tol relative to its largest magnitude (for a gradient: at least a
thousandth of the model's largest gradient, since some are zero in exact arithmetic). `bench` prints a RESULT line the
cost study (experiments/cost_study.py) reads: best and median step seconds, samples/s,
peak RSS bytes.
"""
import argparse
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class FullAttention(nn.Module):
    """SA: softmax(Q Kᵀ/√E) V per head, dropout on the probabilities (TSL's FullAttention)."""

    def __init__(self, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, nn.Dropout(dropout)

    def forward(self, q, k, v):
        B, L, D = q.shape
        H, E = self.heads, D // self.heads
        q, k, v = q.view(B, L, H, E), k.view(B, -1, H, E), v.view(B, -1, H, E)
        scores = torch.einsum("blhe,bshe->bhls", q, k) / math.sqrt(E)
        a = self.dropout(torch.softmax(scores, dim=-1))
        return torch.einsum("bhls,bshd->blhd", a, v).reshape(B, L, D)


class LinearAttention(nn.Module):
    """LA: φ(q)ᵀ Σ φ(k) vᵀ / (φ(q)ᵀ Σ φ(k) + 1e-6) per head, φ = elu + 1."""

    def __init__(self, heads):
        super().__init__()
        self.heads = heads

    def forward(self, q, k, v):
        B, L, D = q.shape
        H, E = self.heads, D // self.heads
        q, k = F.elu(q.view(B, L, H, E)) + 1, F.elu(k.view(B, -1, H, E)) + 1
        v = v.view(B, -1, H, E)
        kv = torch.einsum("bshd,bshm->bhdm", k, v)
        z = k.sum(dim=1)
        num = torch.einsum("blhd,bhdm->blhm", q, kv)
        den = torch.einsum("blhd,bhd->blh", q, z) + 1e-6
        return (num / den.unsqueeze(-1)).reshape(B, L, D)


class AftSimple(nn.Module):
    """AFT-simple: σ(q) ⊙ Σ_j softmax_j(k) ⊙ v_j."""

    def forward(self, q, k, v):
        return torch.sigmoid(q) * (torch.softmax(k, dim=1) * v).sum(dim=1, keepdim=True)


class ElementwiseAttention(nn.Module):
    """EA, order t, per channel: Σ_n a_n(q) S_n / Σ_n a_n(q) Z_n with a_n(q) = (2q)ⁿ/n!,
    S_n = Σ_j w_j k_jⁿ v_j, Z_n = Σ_j w_j k_jⁿ, w_j = exp(min k² − k_j²) (the shift cancels)."""

    def __init__(self, order):
        super().__init__()
        self.order = order

    def forward(self, q, k, v):
        k2 = k * k
        w = torch.exp(k2.min(dim=1, keepdim=True).values.detach() - k2)  # [B, L, D]
        n = torch.arange(self.order + 1, device=q.device, dtype=q.dtype)
        k_pow = k.unsqueeze(-1) ** n  # [B, L, D, t+1]
        wk = w.unsqueeze(-1) * k_pow
        S = (wk * v.unsqueeze(-1)).sum(dim=1, keepdim=True)  # [B, 1, D, t+1]
        Z = wk.sum(dim=1, keepdim=True)
        factorial = torch.exp(torch.lgamma(n + 1))
        a = (2 * q).unsqueeze(-1) ** n / factorial  # [B, L, D, t+1]
        return (a * S).sum(-1) / (a * Z).sum(-1)


def make_attention(kind, heads, dropout):
    if kind == "sa":
        return FullAttention(heads, dropout)
    if kind == "la":
        return LinearAttention(heads)
    if kind == "aft_simple":
        return AftSimple()
    if kind.startswith("ea") and kind[2:].isdigit():
        return ElementwiseAttention(int(kind[2:]))
    sys.exit(f"torch_reference: unknown kind '{kind}' (sa, la, aft_simple, ea<t>)")


class AttentionLayer(nn.Module):
    def __init__(self, kind, d_model, heads, dropout):
        super().__init__()
        self.query_projection = nn.Linear(d_model, d_model)
        self.key_projection = nn.Linear(d_model, d_model)
        self.value_projection = nn.Linear(d_model, d_model)
        self.out_projection = nn.Linear(d_model, d_model)
        self.inner = make_attention(kind, heads, dropout)

    def forward(self, x):
        return self.out_projection(self.inner(self.query_projection(x), self.key_projection(x),
                                              self.value_projection(x)))


class EncoderLayer(nn.Module):
    """x = norm1(x + dropout(attn(x))); out = norm2(x + dropout(conv2(dropout(gelu(conv1(x))))))."""

    def __init__(self, kind, d_model, d_ff, heads, dropout):
        super().__init__()
        self.attention = AttentionLayer(kind, d_model, heads, dropout)
        self.conv1 = nn.Conv1d(d_model, d_ff, 1)
        self.conv2 = nn.Conv1d(d_ff, d_model, 1)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.norm1(x + self.dropout(self.attention(x)))
        y = self.dropout(F.gelu(self.conv1(x.transpose(-1, 1))))
        y = self.dropout(self.conv2(y).transpose(-1, 1))
        return self.norm2(x + y)


class Encoder(nn.Module):
    def __init__(self, layers, d_model):
        super().__init__()
        self.attn_layers = nn.ModuleList(layers)
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x):
        for layer in self.attn_layers:
            x = layer(x)
        return self.norm(x)


class DataEmbedding(nn.Module):
    """Circular Conv1d k=3 without bias + sinusoidal position, then dropout."""

    def __init__(self, channels, d_model, length, dropout):
        super().__init__()
        self.value_embedding = nn.Conv1d(channels, d_model, 3, padding=1, padding_mode="circular",
                                         bias=False)
        pe = torch.zeros(length, d_model)
        position = torch.arange(length).float().unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2).float() * -(math.log(10000.0) / d_model))
        pe[:, 0::2], pe[:, 1::2] = torch.sin(position * div), torch.cos(position * div)
        self.register_buffer("pe", pe, persistent=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        h = self.value_embedding(x.permute(0, 2, 1)).transpose(1, 2)
        return self.dropout(h + self.pe.to(h.dtype))


class TslClassifier(nn.Module):
    """logits = projection(flatten(mask ⊙ dropout(gelu(Encoder(DataEmbedding(x))))))."""

    def __init__(self, kind, length, channels, classes, d_model=128, d_ff=256, layers=3, heads=8,
                 dropout=0.1):
        super().__init__()
        self.enc_embedding = DataEmbedding(channels, d_model, length, dropout)
        self.encoder = Encoder([EncoderLayer(kind, d_model, d_ff, heads, dropout)
                                for _ in range(layers)], d_model)
        self.dropout = nn.Dropout(dropout)
        self.projection = nn.Linear(d_model * length, classes)

    def forward(self, x, mask):
        h = self.dropout(F.gelu(self.encoder(self.enc_embedding(x))))
        return self.projection((h * mask.unsqueeze(-1)).reshape(h.shape[0], -1))


def check(args):
    import h5py
    f = h5py.File(args.file, "r")
    a = dict(f.attrs)
    kind = a["kind"].decode() if isinstance(a["kind"], bytes) else str(a["kind"])
    model = TslClassifier(kind, int(a["length"]), int(a["channels"]), int(a["classes"]),
                          int(a["d_model"]), int(a["d_ff"]), int(a["layers"]), int(a["heads"]),
                          dropout=0.0).double()
    state = model.state_dict()
    names = sorted(f["params"].keys())
    if sorted(state.keys()) != names:
        sys.exit(f"torch_reference: parameter names differ:\n  torch only: "
                 f"{sorted(set(state) - set(names))}\n  eaformer only: {sorted(set(names) - set(state))}")
    model.load_state_dict({n: torch.from_numpy(f["params"][n][()]).double() for n in names})
    x = torch.from_numpy(f["x"][()]).double()
    labels = torch.from_numpy(f["labels"][()]).long()
    logits = model(x, torch.ones(x.shape[:2], dtype=torch.float64))
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    grads = dict(model.named_parameters())

    def rel(ours, ref, floor=0.0):
        ref = ref.detach()
        scale = max(float(ref.abs().max()), floor, 1e-30)
        return float((torch.from_numpy(ours).double() - ref).abs().max()) / scale

    errors = {"logits": rel(f["logits"][()], logits), "loss": rel(f["loss"][()], loss.reshape(1))}
    # Some gradients are zero in exact arithmetic (the key bias under SA's and AFT's
    # softmax, which ignores a constant shift); they are measured against a thousandth of
    # the largest gradient of the model instead of their own round-off-sized magnitude.
    floor = 1e-3 * max(float(p.grad.abs().max()) for p in grads.values())
    for n in names:
        errors["grad " + n] = rel(f["grads"][n][()], grads[n].grad, floor)
    worst = max(errors, key=errors.get)
    grad_worst = max(v for k, v in errors.items() if k.startswith("grad"))
    print(f"{kind}: logits {errors['logits']:.2e}, loss {errors['loss']:.2e}, "
          f"gradients (worst of {len(names)}) {grad_worst:.2e} relative to the largest magnitude; "
          f"worst: {worst}")
    print(f"CHECK {kind} {errors['logits']:.3e} {errors['loss']:.3e} {grad_worst:.3e}")
    if errors[worst] > args.tol:
        print(f"torch_reference: {kind}: {worst} differs by {errors[worst]:.2e} > {args.tol}",
              file=sys.stderr)
        return 1
    return 0


def bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = TslClassifier(args.kind, args.length, args.channels, args.classes, args.d_model,
                          args.d_ff, args.layers, args.heads, args.dropout)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, args.length, args.channels) * 2 - 1
    mask = torch.ones(args.batch, args.length)
    labels = torch.arange(args.batch) % args.classes

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x, mask), labels)
        loss.backward()
        opt.step()
        return float(loss)

    step(), step()  # warm-up
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - start)
    if not math.isfinite(loss):
        sys.exit(f"torch_reference: {args.kind}: non-finite loss")
    times.sort()
    best, med = times[0], times[len(times) // 2]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"torch {args.kind} L={args.length}: step {best * 1e3:.2f} ms best, {med * 1e3:.2f} ms "
          f"median, {args.batch / med:.1f} samples/s, RSS {rss / 2**20:.1f} MiB")
    print(f"RESULT {best:.6f} {med:.6f} {args.batch / med:.4f} 0 {rss}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("check", help="compare with an eaformer --export file")
    c.add_argument("file")
    c.add_argument("--tol", type=float, default=1e-4)
    b = sub.add_parser("bench", help="training throughput at one length")
    b.add_argument("--kind", default="ea6")
    b.add_argument("--length", type=int, default=512)
    b.add_argument("--batch", type=int, default=4)
    b.add_argument("--d-model", type=int, default=128)
    b.add_argument("--d-ff", type=int, default=256)
    b.add_argument("--layers", type=int, default=3)
    b.add_argument("--heads", type=int, default=8)
    b.add_argument("--channels", type=int, default=3)
    b.add_argument("--classes", type=int, default=4)
    b.add_argument("--dropout", type=float, default=0.1)
    b.add_argument("--steps", type=int, default=5)
    b.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    return check(args) if args.mode == "check" else bench(args)


if __name__ == "__main__":
    sys.exit(main())
