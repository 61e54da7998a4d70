// The target description gdb reads with qXfer:features:read:target.xml (GDB manual, "Target
// Descriptions", "ARM Features"): org.gnu.gdb.arm.core and org.gnu.gdb.arm.vfp with d0-d31 and
// fpscr (gdb derives s0-s31 and q0-q15 itself). Register numbers as arm-registers.ts holds them.

import { REG_CPSR, REG_D0, REG_FPSCR } from "./arm-registers.js";

function reg(name: string, bits: number, type: string, regnum?: number, group?: string): string {
  const num = regnum === undefined ? "" : ` regnum="${regnum}"`;
  const grp = group === undefined ? "" : ` group="${group}"`;
  return `<reg name="${name}" bitsize="${bits}" type="${type}"${num}${grp}/>`;
}

function build(): string {
  const core = [
    ...Array.from({ length: 13 }, (_, i) => reg(`r${i}`, 32, "uint32", i === 0 ? 0 : undefined)),
    reg("sp", 32, "data_ptr"),
    reg("lr", 32, "int"),
    reg("pc", 32, "code_ptr"),
    reg("cpsr", 32, "int", REG_CPSR),
  ];
  const vfp = [
    ...Array.from({ length: 32 }, (_, i) => reg(`d${i}`, 64, "ieee_double", i === 0 ? REG_D0 : undefined)),
    reg("fpscr", 32, "int", REG_FPSCR, "float"),
  ];
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    "<target>",
    "<architecture>arm</architecture>",
    '<feature name="org.gnu.gdb.arm.core">',
    ...core,
    "</feature>",
    '<feature name="org.gnu.gdb.arm.vfp">',
    ...vfp,
    "</feature>",
    "</target>",
  ].join("\n");
}

export const TARGET_XML = build();
