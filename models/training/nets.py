"""Network definitions shared by the training, export and sampling scripts.

Both networks are plain torch.nn modules that export to ONNX opset 17 with a
dynamic batch axis: every reshape is written in terms of x.shape or -1 so the
tracer records Shape ops instead of the batch size of the example input.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------
# Classifier
# --------------------------------------------------------------------------


class BasicBlock(nn.Module):
    """ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN plus skip, then ReLU."""

    def __init__(self, in_ch, out_ch, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        if stride == 1 and in_ch == out_ch:
            self.skip = nn.Identity()
        else:
            # Projection skip so the residual sum has matching shape.
            self.skip = nn.Sequential(
                nn.Conv2d(in_ch, out_ch, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_ch),
            )

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + self.skip(x))


class FashionResNet(nn.Module):
    """ResNet for 1x28x28 input: 3 stages x 2 basic blocks, 28 -> 28 -> 14 -> 7.

    The input is expected normalised: (pixel / 255 - mean) / std.
    """

    def __init__(self, widths=(64, 128, 256), strides=(1, 2, 2), blocks_per_stage=2,
                 stem_width=64, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(1, stem_width, 3, padding=1, bias=False),
            nn.BatchNorm2d(stem_width),
            nn.ReLU(inplace=True),
        )
        blocks = []
        in_ch = stem_width
        for width, stride in zip(widths, strides):
            for i in range(blocks_per_stage):
                blocks.append(BasicBlock(in_ch, width, stride if i == 0 else 1))
                in_ch = width
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(in_ch, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        # Zero the last BN of each residual branch so every block starts as the
        # identity; this noticeably stabilises the large-lr start of training.
        for m in self.modules():
            if isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def forward(self, x):
        h = self.blocks(self.stem(x))
        h = F.adaptive_avg_pool2d(h, 1)
        return self.fc(torch.flatten(h, 1))


# --------------------------------------------------------------------------
# Diffusion denoiser
# --------------------------------------------------------------------------


def _group_norm(channels, groups):
    # Fall back to the largest group count that divides the width, so small
    # smoke-test widths still build with the configured default.
    return nn.GroupNorm(math.gcd(groups, channels), channels)


class TimestepEmbedding(nn.Module):
    """Sinusoidal embedding of the integer timestep (as in DDPM), then an MLP."""

    def __init__(self, sin_dim, emb_dim):
        super().__init__()
        half = sin_dim // 2
        # A buffer instead of torch.arange in forward keeps the ONNX graph a
        # single constant; persistent=False keeps it out of the state_dict.
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("freqs", freqs, persistent=False)
        self.mlp = nn.Sequential(nn.Linear(sin_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))

    def forward(self, t):
        args = t.to(torch.float32)[:, None] * self.freqs[None, :]
        return self.mlp(torch.cat([torch.sin(args), torch.cos(args)], dim=1))


class ResBlock(nn.Module):
    """GN-SiLU-conv, + projected (time+class) embedding, GN-SiLU-dropout-conv, + skip."""

    def __init__(self, in_ch, out_ch, emb_dim, dropout, groups):
        super().__init__()
        self.norm1 = _group_norm(in_ch, groups)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.emb_proj = nn.Linear(emb_dim, out_ch)
        self.norm2 = _group_norm(out_ch, groups)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.skip = nn.Identity() if in_ch == out_ch else nn.Conv2d(in_ch, out_ch, 1)

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb_proj(F.silu(emb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return h + self.skip(x)


class SelfAttention(nn.Module):
    """Single-head spatial self-attention with explicit matmuls (plain ONNX MatMul/Softmax)."""

    def __init__(self, channels, groups):
        super().__init__()
        self.norm = _group_norm(channels, groups)
        self.q = nn.Conv2d(channels, channels, 1)
        self.k = nn.Conv2d(channels, channels, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)
        self.scale = channels ** -0.5

    def forward(self, x):
        h = self.norm(x)
        # [N, C, H*W]; the batch and channel sizes come from the tensor itself.
        q = self.q(h).flatten(2)
        k = self.k(h).flatten(2)
        v = self.v(h).flatten(2)
        attn = torch.softmax(torch.matmul(q.transpose(1, 2), k) * self.scale, dim=-1)  # [N, HW, HW]
        out = torch.matmul(v, attn.transpose(1, 2))  # [N, C, HW]
        return x + self.proj(out.reshape(x.shape))


class UNetLevel(nn.Module):
    """Container for one resolution level: residual blocks, their optional
    attention, and the resampling conv that leads to the next level."""

    def __init__(self, blocks, attns, resample):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.attns = nn.ModuleList(attns)
        self.resample = resample


class DiffusionUNet(nn.Module):
    """Class-conditional epsilon-prediction U-Net for 1x28x28 images.

    forward(sample float32 [N,1,28,28], timestep int64 [N], class_label int64 [N])
    -> predicted noise float32 [N,1,28,28]. class_label == num_classes (10) is
    the NULL class used for classifier-free guidance.

    The default width (48, GroupNorm with 8 groups) keeps the model at ~3.0M
    parameters: at base 64 it has 5.3M (20.3 MiB float32), which breaks the
    20 MB budget of the exported file and the 16 MiB limit on files fetched
    back from the GPU machine.
    """

    def __init__(self, base_channels=48, channel_mults=(1, 2, 2), num_res_blocks=2,
                 attention_resolutions=(7,), dropout=0.1, norm_groups=8, num_classes=10,
                 image_size=28):
        super().__init__()
        emb_dim = 4 * base_channels
        self.time_embed = TimestepEmbedding(base_channels, emb_dim)
        self.class_embed = nn.Embedding(num_classes + 1, emb_dim)

        def block(in_ch, out_ch):
            return ResBlock(in_ch, out_ch, emb_dim, dropout, norm_groups)

        def attention(ch, res):
            return SelfAttention(ch, norm_groups) if res in attention_resolutions else nn.Identity()

        self.conv_in = nn.Conv2d(1, base_channels, 3, padding=1)

        # Down path: the output of every residual block is kept as a skip for
        # the up path; levels are joined by stride-2 convs (28 -> 14 -> 7).
        self.down_levels = nn.ModuleList()
        skip_channels = []
        ch, res = base_channels, image_size
        for level, mult in enumerate(channel_mults):
            out_ch = base_channels * mult
            blocks, attns = [], []
            for _ in range(num_res_blocks):
                blocks.append(block(ch, out_ch))
                attns.append(attention(out_ch, res))
                ch = out_ch
                skip_channels.append(ch)
            last = level == len(channel_mults) - 1
            resample = nn.Identity() if last else nn.Conv2d(ch, ch, 3, stride=2, padding=1)
            self.down_levels.append(UNetLevel(blocks, attns, resample))
            if not last:
                res //= 2

        self.mid1 = block(ch, ch)
        self.mid_attn = SelfAttention(ch, norm_groups)
        self.mid2 = block(ch, ch)

        # Up path mirrors the down path: each block consumes one skip by channel
        # concatenation; nearest-neighbour upsampling + conv between levels.
        self.up_levels = nn.ModuleList()
        for level, mult in reversed(list(enumerate(channel_mults))):
            out_ch = base_channels * mult
            blocks, attns = [], []
            for _ in range(num_res_blocks):
                blocks.append(block(ch + skip_channels.pop(), out_ch))
                attns.append(attention(out_ch, res))
                ch = out_ch
            if level == 0:
                resample = nn.Identity()
            else:
                resample = nn.Sequential(nn.Upsample(scale_factor=2.0, mode="nearest"),
                                         nn.Conv2d(ch, ch, 3, padding=1))
                res *= 2
            self.up_levels.append(UNetLevel(blocks, attns, resample))

        self.norm_out = _group_norm(ch, norm_groups)
        self.conv_out = nn.Conv2d(ch, 1, 3, padding=1)
        # Zero-init so the untrained model predicts eps = 0 (loss starts at 1)
        # instead of adding a random output layer's noise to early training.
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, sample, timestep, class_label):
        emb = self.time_embed(timestep) + self.class_embed(class_label)
        h = self.conv_in(sample)
        skips = []
        for level in self.down_levels:
            for blk, attn in zip(level.blocks, level.attns):
                h = attn(blk(h, emb))
                skips.append(h)
            h = level.resample(h)

        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)

        for level in self.up_levels:
            for blk, attn in zip(level.blocks, level.attns):
                h = attn(blk(torch.cat([h, skips.pop()], dim=1), emb))
            h = level.resample(h)

        return self.conv_out(F.silu(self.norm_out(h)))


if __name__ == "__main__":
    for name, model in (("FashionResNet", FashionResNet()), ("DiffusionUNet", DiffusionUNet())):
        print(f"{name}: {count_parameters(model):,} parameters")
