#!/usr/bin/env python3
"""Generates the random-operand CPU test programs (guests/gen-<class>-<isa>/main.S) for lockstep
comparison with QEMU: data processing, multiply, media and VFP, in ARM and Thumb. Each program is
blocks of: load random (often edge-case) values into registers, set random flags (and FPSCR for
VFP), then a run of random instructions of the class. Fixed seeds: the same script writes the same
files, so the committed sources and images stay reproducible.

    python3 guests/gen/gen_cpu.py        # rewrites guests/gen-*/main.S and build.conf
    guests/build.sh                      # then rebuild the images
    python3 guests/gen/gen_cpu.py DIR    # writes DIR/gen-*/ instead (the freshness test)
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GUESTS = os.path.dirname(HERE)

EDGE = [0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000001, 0x0000FFFF, 0xFFFF0000,
        0x00008000, 0x00007FFF, 0x80008000, 0x7FFF7FFF, 0x00000080, 0x0000007F, 0x000000FF, 31, 32, 33,
        0x7F7F7F7F, 0x80808080, 0x01010101, 0xFF00FF00]
CONDS = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le"]
REGS = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11"]


def rval(rng):
    k = rng.random()
    if k < 0.45:
        return rng.choice(EDGE)
    if k < 0.6:
        return rng.randrange(0, 64)
    return rng.getrandbits(32)


def ror(v, n):
    n %= 32
    return ((v >> n) | (v << (32 - n))) & 0xFFFFFFFF


def arm_imm(rng):
    return ror(rng.getrandbits(8), 2 * rng.randrange(16))


def thumb_imm(rng):
    b = rng.getrandbits(8)
    kind = rng.randrange(5)
    if kind == 0:
        return b
    if kind == 1:
        return b | (b << 16)
    if kind == 2:
        return (b << 8) | (b << 24)
    if kind == 3:
        return b * 0x01010101
    return ror(0x80 | rng.getrandbits(7), rng.randrange(8, 32))


class Gen:
    def __init__(self, isa, seed):
        self.isa = isa
        self.thumb = isa == "thumb"
        self.rng = random.Random(seed)
        self.out = []

    def emit(self, s):
        self.out.append("        " + s)

    def reg(self):
        return self.rng.choice(REGS)

    def set_regs(self):
        for r in REGS:
            self.emit(f"MOV32   {r}, 0x{rval(self.rng):08x}")
        flags = self.rng.getrandbits(5) << 27
        ge = self.rng.getrandbits(4) << 16
        self.emit(f"FLAGS_GE 0x{flags | ge:08x}")

    def insn(self, text, cond=None):
        """Emits an instruction, conditional on `cond` (an IT block in Thumb)."""
        if cond:
            if self.thumb:
                self.emit(f"it      {cond}")
            op, _, rest = text.partition(" ")
            root, dot, suffix = op.partition(".")  # the condition goes before a .f32-style suffix
            self.emit(f"{root}{cond}{dot}{suffix} {rest}".rstrip())
        else:
            self.emit(text)

    def cond(self):
        return self.rng.choice(CONDS) if self.rng.random() < 0.15 else None

    # ---- data processing ----
    def shift_imm(self):
        t = self.rng.randrange(5)
        if t == 0:
            return f"lsl #{self.rng.randrange(0, 32)}"
        if t == 1:
            return f"lsr #{self.rng.randrange(1, 33)}"
        if t == 2:
            return f"asr #{self.rng.randrange(1, 33)}"
        if t == 3:
            return f"ror #{self.rng.randrange(1, 32)}"
        return "rrx"

    def op2(self):
        k = self.rng.randrange(4 if not self.thumb else 3)
        if k == 0:
            imm = thumb_imm(self.rng) if self.thumb else arm_imm(self.rng)
            return f"#0x{imm:x}"
        if k == 1:
            return self.reg()
        if k == 2:
            return f"{self.reg()}, {self.shift_imm()}"
        return f"{self.reg()}, {self.rng.choice(['lsl', 'lsr', 'asr', 'ror'])} {self.reg()}"

    def dp(self):
        rng = self.rng
        ops3 = ["and", "eor", "sub", "rsb", "add", "adc", "sbc", "orr", "bic"]
        ops3 += ["orn"] if self.thumb else ["rsc"]
        k = rng.random()
        s = "s" if rng.random() < 0.6 else ""
        c = self.cond()
        if k < 0.55:
            op = rng.choice(ops3)
            o2 = self.op2()
            if self.thumb and op == "rsb" and o2.startswith(("r", "#")) is False:
                o2 = self.reg()
            self.insn(f"{op}{s} {self.reg()}, {self.reg()}, {o2}", c)
        elif k < 0.7:
            op = rng.choice(["mov", "mvn"])
            self.insn(f"{op}{s} {self.reg()}, {self.op2()}", c)
        elif k < 0.85:
            op = rng.choice(["tst", "teq", "cmp", "cmn"])
            self.insn(f"{op} {self.reg()}, {self.op2()}", c)
        else:
            op = rng.choice(["lsl", "lsr", "asr", "ror"])
            self.insn(f"{op}{s} {self.reg()}, {self.reg()}, {self.reg()}", c)

    # ---- multiply and divide ----
    def mul(self):
        rng = self.rng
        r = self.reg
        k = rng.randrange(12)
        c = self.cond()
        if k == 0:
            self.insn(f"{rng.choice(['mul', 'muls'] if not self.thumb else ['mul'])} {r()}, {r()}, {r()}", c)
        elif k == 1:
            self.insn(f"{rng.choice(['mla', 'mls'])} {r()}, {r()}, {r()}, {r()}", c)
        elif k in (2, 3):
            lo, hi = rng.sample(REGS, 2)
            ops = ["umull", "smull", "umlal", "smlal", "umaal", "smlald", "smlaldx", "smlsld", "smlsldx"]
            if not self.thumb:
                ops += ["umulls", "smulls", "umlals", "smlals"]
            ops += [f"smlal{x}{y}" for x in "bt" for y in "bt"]
            self.insn(f"{rng.choice(ops)} {lo}, {hi}, {r()}, {r()}", c)
        elif k == 4:
            self.insn(f"smul{rng.choice('bt')}{rng.choice('bt')} {r()}, {r()}, {r()}", c)
        elif k == 5:
            self.insn(f"smla{rng.choice('bt')}{rng.choice('bt')} {r()}, {r()}, {r()}, {r()}", c)
        elif k == 6:
            self.insn(f"{rng.choice(['smulwb', 'smulwt', 'smuad', 'smuadx', 'smusd', 'smusdx', 'smmul', 'smmulr'])} {r()}, {r()}, {r()}", c)
        elif k == 7:
            ops = ["smlawb", "smlawt", "smlad", "smladx", "smlsd", "smlsdx", "smmla", "smmlar", "smmls", "smmlsr"]
            self.insn(f"{rng.choice(ops)} {r()}, {r()}, {r()}, {r()}", c)
        elif k in (8, 9):
            self.insn(f"{rng.choice(['sdiv', 'udiv'])} {r()}, {r()}, {r()}", c)
        else:
            self.insn(f"{rng.choice(['usad8'])} {r()}, {r()}, {r()}", c)

    # ---- media ----
    def media(self):
        rng = self.rng
        r = self.reg
        k = rng.randrange(10)
        c = self.cond()
        if k in (0, 1, 2):
            pre = rng.choice(["s", "q", "sh", "u", "uq", "uh"])
            op = rng.choice(["add16", "asx", "sax", "sub16", "add8", "sub8"])
            self.insn(f"{pre}{op} {r()}, {r()}, {r()}", c)
        elif k == 3:
            self.insn(f"{rng.choice(['qadd', 'qsub', 'qdadd', 'qdsub', 'sel', 'usad8'])} {r()}, {r()}, {r()}", c)
        elif k == 4:
            sh = rng.choice(["", f", lsl #{rng.randrange(0, 32)}", f", asr #{rng.randrange(1, 33)}"])
            if rng.random() < 0.5:
                self.insn(f"ssat {r()}, #{rng.randrange(1, 33)}, {r()}{sh}", c)
            else:
                self.insn(f"usat {r()}, #{rng.randrange(0, 32)}, {r()}{sh}", c)
        elif k == 5:
            if rng.random() < 0.5:
                self.insn(f"ssat16 {r()}, #{rng.randrange(1, 17)}, {r()}", c)
            else:
                self.insn(f"usat16 {r()}, #{rng.randrange(0, 16)}, {r()}", c)
        elif k == 6:
            rot = rng.choice([0, 8, 16, 24])
            op = rng.choice(["sxtb", "sxth", "uxtb", "uxth", "sxtb16", "uxtb16"])
            if rng.random() < 0.5:
                self.insn(f"{op} {r()}, {r()}, ror #{rot}", c)
            else:
                op = op[:3] + "a" + op[3:]
                self.insn(f"{op} {r()}, {r()}, {r()}, ror #{rot}", c)
        elif k == 7:
            if rng.random() < 0.5:
                self.insn(f"pkhbt {r()}, {r()}, {r()}, lsl #{rng.randrange(0, 32)}", c)
            else:
                self.insn(f"pkhtb {r()}, {r()}, {r()}, asr #{rng.randrange(1, 33)}", c)
        elif k == 8:
            self.insn(f"{rng.choice(['rev', 'rev16', 'revsh', 'rbit', 'clz'])} {r()}, {r()}", c)
        else:
            lsb = rng.randrange(0, 32)
            width = rng.randrange(1, 33 - lsb)
            op = rng.choice(["bfi", "bfc", "ubfx", "sbfx"])
            if op == "bfc":
                self.insn(f"bfc {r()}, #{lsb}, #{width}", c)
            else:
                self.insn(f"{op} {r()}, {r()}, #{lsb}, #{width}", c)

    # ---- VFP ----
    FEDGE_S = [0x00000000, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001,
               0xFFC00001, 0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0x4F000000, 0xCF000000, 0x4F800000,
               0x3F000000, 0x3FC00000, 0x40490FDB, 0x3EAAAAAB, 0x5F000000]
    FEDGE_D = [0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
               0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0x7FF0000000000001,
               0x0000000000000001, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF,
               0x41E0000000000000, 0xC1E0000000200000, 0x41EFFFFFFFE00000, 0x3FE0000000000000,
               0x400921FB54442D18, 0x3FD5555555555555, 0x47EFFFFFE0000000, 0x3810000000000000]

    def fval_s(self):
        rng = self.rng
        k = rng.random()
        if k < 0.4:
            return rng.choice(self.FEDGE_S)
        if k < 0.7:  # a modest normal number
            return (rng.getrandbits(1) << 31) | (rng.randrange(100, 160) << 23) | rng.getrandbits(23)
        return rng.getrandbits(32)

    def fval_d(self):
        rng = self.rng
        k = rng.random()
        if k < 0.4:
            return rng.choice(self.FEDGE_D)
        if k < 0.7:
            return (rng.getrandbits(1) << 63) | (rng.randrange(990, 1060) << 52) | rng.getrandbits(52)
        return rng.getrandbits(64)

    def set_vfp(self):
        rng = self.rng
        for n in range(0, 32, 2):
            self.emit(f"MOV32   r0, 0x{self.fval_s():08x}")
            self.emit(f"MOV32   r1, 0x{self.fval_s():08x}")
            self.emit(f"vmov    s{n}, s{n + 1}, r0, r1")
        for n in range(16, 32):
            v = self.fval_d()
            self.emit(f"MOV32   r0, 0x{v & 0xFFFFFFFF:08x}")
            self.emit(f"MOV32   r1, 0x{v >> 32:08x}")
            self.emit(f"vmov    d{n}, r0, r1")
        fpscr = (rng.randrange(4) << 22) | (0x01000000 if rng.random() < 0.2 else 0) | (0x02000000 if rng.random() < 0.2 else 0)
        fpscr |= rng.getrandbits(4) << 28
        self.emit(f"MOV32   r12, 0x{fpscr:08x}")
        self.emit("vmsr    fpscr, r12")

    def vfp(self):
        rng = self.rng
        dbl = rng.random() < 0.5
        sz = "f64" if dbl else "f32"

        def fr():
            return f"d{rng.randrange(32)}" if dbl else f"s{rng.randrange(32)}"

        k = rng.randrange(10)
        c = self.cond()
        if k in (0, 1, 2):
            op = rng.choice(["vadd", "vsub", "vmul", "vdiv", "vnmul", "vmla", "vmls", "vnmla", "vnmls"])
            self.insn(f"{op}.{sz} {fr()}, {fr()}, {fr()}", c)
        elif k == 3:
            self.insn(f"{rng.choice(['vabs', 'vneg', 'vsqrt', 'vmov'])}.{sz} {fr()}, {fr()}", c)
        elif k == 4:
            if rng.random() < 0.3:
                self.insn(f"{rng.choice(['vcmp', 'vcmpe'])}.{sz} {fr()}, #0", c)
            else:
                self.insn(f"{rng.choice(['vcmp', 'vcmpe'])}.{sz} {fr()}, {fr()}", c)
            self.insn("vmrs APSR_nzcv, fpscr")
        elif k == 5:
            s = f"s{rng.randrange(32)}"
            if dbl:
                self.insn(f"vcvt.f64.f32 d{rng.randrange(32)}, {s}", c)
            else:
                self.insn(f"vcvt.f32.f64 {s}, d{rng.randrange(32)}", c)
        elif k == 6:
            op = rng.choice(["vcvt.s32", "vcvt.u32", "vcvtr.s32", "vcvtr.u32"])
            self.insn(f"{op}.{sz} s{rng.randrange(32)}, {fr()}", c)
        elif k == 7:
            op = rng.choice(["s32", "u32"])
            self.insn(f"vcvt.{sz}.{op} {fr()}, s{rng.randrange(32)}", c)
        elif k == 8:
            t = rng.choice(["s16", "u16", "s32", "u32"])
            bits = 16 if t.endswith("16") else 32
            frac = rng.randrange(1 if bits == 32 else 0, bits + 1)
            if bits == 16 and frac == 0:
                frac = 1
            reg = fr()
            if rng.random() < 0.5:
                self.insn(f"vcvt.{t}.{sz} {reg}, {reg}, #{frac}", c)
            else:
                self.insn(f"vcvt.{sz}.{t} {reg}, {reg}, #{frac}", c)
        else:
            if rng.random() < 0.5:
                self.insn(f"vmov {self.reg()}, s{rng.randrange(32)}", c)
            else:
                self.insn("vmrs r12, fpscr")

    def program(self, kind, blocks, per_block):
        step = getattr(self, kind)
        for _ in range(blocks):
            self.set_regs()
            if kind == "vfp":
                self.set_vfp()
            for _ in range(per_block):
                step()
        return self.out


HEADER = """/* GENERATED by guests/gen/gen_cpu.py ({kind}, {isa}, seed {seed}): random {kind} instructions
 * with random and edge-case operands, for lockstep comparison with QEMU. Do not edit; rerun the
 * generator. */
{define}#include "cputest.S.h"

        BODY_BEGIN
"""

PROGRAMS = [
    # (kind, blocks, instructions per block, seed)
    ("dp", 150, 12, 1001),
    ("mul", 100, 10, 2002),
    ("media", 120, 10, 3003),
    ("vfp", 40, 16, 4004),
]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else GUESTS
    for kind, blocks, per_block, seed in PROGRAMS:
        for isa in ("arm", "thumb"):
            s = seed + (1 if isa == "thumb" else 0)
            g = Gen(isa, s)
            body = g.program(kind, blocks, per_block)
            d = os.path.join(root, f"gen-{kind}-{isa}")
            os.makedirs(d, exist_ok=True)
            define = "#define CPU_TEST_VFP\n" if kind == "vfp" else ""
            with open(os.path.join(d, "main.S"), "w") as f:
                f.write(HEADER.format(kind=kind, isa=isa, seed=s, define=define))
                f.write("\n".join(body) + "\n")
                f.write("        BODY_END\n")
            conf = f"LIB=no\nISA={isa}\n" + ("FLOAT=hard\n" if kind == "vfp" else "")
            with open(os.path.join(d, "build.conf"), "w") as f:
                f.write(conf)
            print(f"{d}: {len(body)} lines")


if __name__ == "__main__":
    main()
