// CP15 system control registers as a Cortex-A15 r4p0 presents them to a guest at Non-secure PL1
// (DDI 0406C B4.1, B3.17-B3.18): MCR/MRC and MCRR/MRRC. Identification values are in
// cp15-ids.ts, the generic timer's routing and trap rules in cp15-timer.ts, encodings in
// cp15-regs.ts. Hyp-only registers (HCR, HSCTLR, CNTHCTL, CNTVOFF, HTTBR...), Secure-only ones (SCR,
// SDER, NSACR, MVBAR) and unknown encodings are UNDEFINED; the guest never reaches a host error.
//
// At PL0 only TPIDRURW, TPIDRURO (read), the CP15 barriers and the timer registers that CNTKCTL
// opens are accessible; everything else is UNDEFINED.
//
// Writes that change translations tell the MMU: SCTLR and TTBCR flush the TLB, TTBR0/TTBR1 and an
// ASID change drop non-global entries, DACR switches TLB sets, TLBI* invalidate. PRRR/NMRR/AMAIR
// only describe memory types, which the TLB does not hold, so they flush nothing; MAIR0/MAIR1 flush
// when they change, so that nothing cached can outlive the memory types it was filled under.
//
// The Large Physical Address Extension: TTBCR.EAE selects the Long-descriptor format, in which
// TTBR0/TTBR1 are 64-bit (MCRR/MRRC; the ASID is TTBRx[55:48], chosen by TTBCR.A1), c10,c2,0/1
// are MAIR0/MAIR1, PAR is 64-bit, and aborts report Long-descriptor fault status (formatFsr).

import type { Cpu } from "./core.js";
import { LINE_VFIQ, LINE_VIRQ } from "./core.js";
import { Mode } from "./state.js";
import { Cp14 } from "./cp14.js";
import { Cp15Timer } from "./cp15-timer.js";
import { Cp15Pmu } from "./cp15-pmu.js";
import { isPmuKey } from "./pmu-regs.js";
import * as R from "./cp15-regs.js";
import * as ID from "./cp15-ids.js";
import { longFsrOf } from "./mmu-faults-lpae.js";
import { longFormatPar } from "./mmu-par-lpae.js";
import { DOUBLE_ZERO } from "./double-field.js";

// ISR bits (B4.1.86): virtual abort, IRQ and FIQ pending (HCR.AMO/IMO/FMO route them here).
const ISR_I = 1 << 7;
const ISR_F = 1 << 6;

export class Cp15 {
  private readonly cpu: Cpu;
  readonly cp14: Cp14;
  readonly timerRegs: Cp15Timer;
  readonly pmuRegs: Cp15Pmu;

  sctlr = R.SCTLR_RESET;
  vbar = 0;
  /** CPACR: cp10/cp11 access (bits [23:20]) gate the VFP. */
  cpacr = ID.CPACR_RAO;
  dfsr = 0;
  dfar = DOUBLE_ZERO;
  ifsr = 0;
  ifar = DOUBLE_ZERO;
  ttbr0 = 0;
  ttbr1 = 0;
  /** TTBR0/TTBR1[63:32]: BADDR[39:32] in bits [7:0], the ASID in bits [23:16]. */
  ttbr0Hi = 0;
  ttbr1Hi = 0;
  ttbcr = 0;
  dacr = 0;
  par = 0;
  /** PAR[63:32], non-zero only after a Long-descriptor format translation or an MCRR. */
  parHi = 0;
  prrr = ID.PRRR_RESET;
  nmrr = ID.NMRR_RESET;
  mair0 = 0;
  mair1 = 0;
  amair0 = 0;
  amair1 = 0;
  contextidr = 0;
  tpidrurw = 0;
  tpidruro = 0;
  tpidrprw = 0;
  csselr = 0;

  /** Set by read/write when the access is UNDEFINED. */
  private undef = false;

  constructor(cpu: Cpu) {
    this.cpu = cpu;
    this.cp14 = new Cp14(cpu);
    this.timerRegs = new Cp15Timer(cpu);
    this.pmuRegs = new Cp15Pmu(cpu);
  }

  /** Reset values (the caller flushes the TLB afterwards). */
  reset(): void {
    this.sctlr = R.SCTLR_RESET;
    this.vbar = 0;
    this.cpacr = ID.CPACR_RAO;
    this.dfsr = this.dfar = this.ifsr = this.ifar = 0;
    this.ttbr0 = this.ttbr1 = this.ttbcr = this.dacr = 0;
    this.ttbr0Hi = this.ttbr1Hi = 0;
    this.par = this.parHi = 0;
    this.prrr = ID.PRRR_RESET;
    this.nmrr = ID.NMRR_RESET;
    this.mair0 = this.mair1 = 0;
    this.amair0 = this.amair1 = 0;
    this.contextidr = 0;
    this.tpidrurw = this.tpidruro = this.tpidrprw = 0;
    this.csselr = 0;
    this.cp14.reset();
  }

  /** Executes MCR/MRC/MCRR/MRRC to coprocessor 15 (`instr` in the A32 layout). */
  execute(instr: number): void {
    if ((instr & 0x0f000010) === 0x0e000010) this.mcrMrc(instr);
    else if ((instr & 0x0fe00000) === 0x0c400000) this.mcrrMrrc(instr);
    else this.cpu.undefinedInstruction(); // LDC/STC/CDP: nothing on CP15
  }

  private mcrMrc(instr: number): void {
    const cpu = this.cpu;
    const key = ((instr >>> 4) & 0xf000) | ((instr >>> 13) & 0x700) | ((instr & 15) << 4) | ((instr >>> 5) & 7);
    const rt = (instr >>> 12) & 15;
    const user = cpu.mode === Mode.USR;
    if (instr & (1 << 20)) {
      const value = this.read(key, user, instr);
      if (this.undef) {
        this.undef = false;
        cpu.undefinedInstruction();
      } else if (rt === 15) {
        cpu.setNzcv(value);
      } else {
        cpu.r[rt] = value;
      }
    } else {
      this.write(key, user, instr, cpu.r[rt]);
      if (this.undef) {
        this.undef = false;
        cpu.undefinedInstruction();
      }
    }
  }

  private mcrrMrrc(instr: number): void {
    const cpu = this.cpu;
    const rt2 = (instr >>> 16) & 15;
    const rt = (instr >>> 12) & 15;
    const crm = instr & 15;
    if (rt === 15 || rt2 === 15) {
      cpu.undefinedInstruction();
      return;
    }
    if (crm !== 14) {
      this.translation64(instr, rt, rt2);
      return;
    }
    const key = (((instr >>> 4) & 15) << 4) | crm;
    const user = cpu.mode === Mode.USR;
    const timer = this.timerRegs;
    if (instr & (1 << 20)) {
      const lo = timer.read64(key, user, instr);
      if (!timer.undef) {
        cpu.r[rt] = lo;
        cpu.r[rt2] = timer.hi;
      }
    } else {
      timer.write64(key, user, instr, cpu.r[rt], cpu.r[rt2]);
    }
    if (timer.undef) {
      timer.undef = false;
      cpu.undefinedInstruction();
    }
  }

  private read(key: number, user: boolean, instr: number): number {
    if (key >>> 12 === 0xe) return this.timerRead(key, user, instr);
    if (isPmuKey(key)) return this.pmuRead(key, user, instr);
    if (user) {
      if (key === R.TPIDRURW) return this.tpidrurw;
      if (key === R.TPIDRURO) return this.tpidruro;
      return this.undefined();
    }
    const cpu = this.cpu;
    switch (key) {
      case R.MIDR:
      case R.MIDR_ALIAS_4:
      case R.MIDR_ALIAS_7:
        return cpu.hyp.vpidr | 0;
      case R.CTR:
        return ID.CTR_VALUE | 0;
      case R.TCMTR:
        return ID.TCMTR_VALUE;
      case R.TLBTR:
        return ID.TLBTR_VALUE;
      case R.MPIDR:
        return cpu.hyp.vmpidr | 0;
      case R.REVIDR:
        return ID.REVIDR_VALUE;
      case R.ID_PFR0:
        return ID.ID_PFR0_VALUE;
      case R.ID_PFR1:
        return ID.ID_PFR1_VALUE;
      case R.ID_DFR0:
        return ID.ID_DFR0_VALUE;
      case R.ID_AFR0:
        return ID.ID_AFR0_VALUE;
      case R.ID_MMFR0:
        return ID.ID_MMFR0_VALUE;
      case R.ID_MMFR1:
        return ID.ID_MMFR1_VALUE;
      case R.ID_MMFR2:
        return ID.ID_MMFR2_VALUE;
      case R.ID_MMFR3:
        return ID.ID_MMFR3_VALUE;
      case R.ID_ISAR0:
        return ID.ID_ISAR0_VALUE;
      case R.ID_ISAR1:
        return ID.ID_ISAR1_VALUE;
      case R.ID_ISAR2:
        return ID.ID_ISAR2_VALUE;
      case R.ID_ISAR3:
        return ID.ID_ISAR3_VALUE;
      case R.ID_ISAR4:
        return ID.ID_ISAR4_VALUE;
      case R.ID_ISAR5:
        return ID.ID_ISAR5_VALUE;
      case R.CCSIDR:
        return this.ccsidr();
      case R.CLIDR:
        return ID.CLIDR_VALUE;
      case R.AIDR:
        return ID.AIDR_VALUE;
      case R.CSSELR:
        return this.csselr;
      case R.SCTLR:
        return this.sctlr | 0;
      case R.ACTLR:
        return 0;
      case R.CPACR:
        return this.cpacr | 0;
      case R.TTBR0:
        return this.ttbr0 | 0;
      case R.TTBR1:
        return this.ttbr1 | 0;
      case R.TTBCR:
        return this.ttbcr;
      case R.DACR:
        return this.dacr | 0;
      case R.DFSR:
        return this.dfsr | 0;
      case R.IFSR:
        return this.ifsr | 0;
      case R.ADFSR:
      case R.AIFSR:
        return 0;
      case R.DFAR:
        return this.dfar | 0;
      case R.IFAR:
        return this.ifar | 0;
      case R.PAR:
        return this.par | 0;
      case R.L2CTLR:
        return ID.L2CTLR_VALUE;
      case R.L2ECTLR:
        return 0;
      case R.PRRR:
        return (this.ttbcr & R.TTBCR_EAE ? this.mair0 : this.prrr) | 0;
      case R.NMRR:
        return (this.ttbcr & R.TTBCR_EAE ? this.mair1 : this.nmrr) | 0;
      case R.AMAIR0:
        return this.amair0 | 0;
      case R.AMAIR1:
        return this.amair1 | 0;
      case R.VBAR:
        return this.vbar | 0;
      case R.ISR:
        return (cpu.lines & LINE_VIRQ ? ISR_I : 0) | (cpu.lines & LINE_VFIQ ? ISR_F : 0);
      case R.FCSEIDR:
        return 0;
      case R.CONTEXTIDR:
        return this.contextidr | 0;
      case R.TPIDRURW:
        return this.tpidrurw | 0;
      case R.TPIDRURO:
        return this.tpidruro | 0;
      case R.TPIDRPRW:
        return this.tpidrprw | 0;
      default:
        // The rest of the CPUID space reads as zero; the IMPLEMENTATION DEFINED c15 registers
        // are RAZ/WI.
        if ((key & 0xff00) === 0 && (key & 0xf0) !== 0 && (key & 0xf0) <= 0x70) return 0;
        if (key >>> 12 === 0xf) return 0;
        return this.undefined();
    }
  }

  private write(key: number, user: boolean, instr: number, value: number): void {
    if (key >>> 12 === 0xe) {
      this.timerWrite(key, user, instr, value);
      return;
    }
    if (isPmuKey(key)) {
      this.pmuWrite(key, user, instr, value);
      return;
    }
    if (user) {
      if (key === R.TPIDRURW) this.tpidrurw = value | 0;
      else if (key === R.CP15ISB || key === R.CP15DSB || key === R.CP15DMB) this.barrier(key);
      else this.undefined();
      return;
    }
    // Data-cache maintenance by address comes in loops over every line of a range (Linux's DMA
    // and page-table code): answered before the long switch. No caches are modelled.
    if (key === R.DCCMVAC || key === R.DCCIMVAC || key === R.DCIMVAC || key === R.DCCMVAU) {
      // Where new instructions may have been written: other CPUs' translated code of that page
      // must go at the next instruction-cache invalidate (see CpuBroadcast.cleaned).
      this.cpu.broadcast?.cleaned(value);
      return;
    }
    const mmu = this.cpu.mmu;
    switch (key) {
      case R.CSSELR:
        this.csselr = value & 0xf;
        return;
      case R.SCTLR: {
        const v = (value & R.SCTLR_WRITABLE) | R.SCTLR_RAO;
        if (v !== this.sctlr) {
          this.sctlr = v;
          mmu.flushTlb();
        }
        return;
      }
      case R.ACTLR:
        // RAZ/WI, as QEMU and KVM present it; Linux's "set the SMP bit" write is ignored.
        return;
      case R.CPACR:
        this.cpacr = (value & ID.CPACR_WRITABLE) | ID.CPACR_RAO;
        return;
      case R.TTBR0:
        if ((value | 0) !== this.ttbr0) {
          this.ttbr0 = value | 0;
          mmu.flushNonGlobal();
        }
        return;
      case R.TTBR1:
        if ((value | 0) !== this.ttbr1) {
          this.ttbr1 = value | 0;
          mmu.flushNonGlobal();
        }
        return;
      case R.TTBCR: {
        const v = value & (value & R.TTBCR_EAE ? R.TTBCR_LONG_WRITABLE : R.TTBCR_WRITABLE);
        if (v !== this.ttbcr) {
          this.ttbcr = v;
          mmu.flushTlb();
        }
        return;
      }
      case R.DACR:
        this.dacr = value | 0;
        mmu.dacrChanged();
        return;
      case R.DFSR:
        // Short format: FS, domain, WnR, ExT, CM; Long format: STATUS, LPAE, WnR, ExT, CM.
        this.dfsr = value & (this.ttbcr & R.TTBCR_EAE ? 0x3a3f : 0x3cff);
        return;
      case R.IFSR:
        this.ifsr = value & (this.ttbcr & R.TTBCR_EAE ? 0x123f : 0x140f);
        return;
      case R.ADFSR:
      case R.AIFSR:
        return;
      case R.DFAR:
        this.dfar = value >>> 0;
        return;
      case R.IFAR:
        this.ifar = value >>> 0;
        return;
      case R.PAR:
        this.par = value | 0;
        return;
      case R.ATS1CPR:
      case R.ATS1CPW:
      case R.ATS1CUR:
      case R.ATS1CUW:
        if (this.ttbcr & R.TTBCR_EAE) {
          longFormatPar(this, mmu.walker, value, (key & 1) !== 0, (key & 2) !== 0);
          return;
        }
        this.par = mmu.translateForPar(value, (key & 1) !== 0, (key & 2) !== 0);
        this.parHi = 0;
        return;
      case R.ICIALLU:
      case R.BPIALL:
      case R.BPIMVA:
        return;
      case R.BPIALLIS:
        // Branch predictors hold no instructions here.
        return;
      case R.ICIALLUIS:
        // Translated code here follows this CPU's own stores (code-cache.ts); other CPUs' copies
        // go by the broadcast, as their instruction caches do.
        this.cpu.broadcast?.code(-1);
        return;
      case R.ICIMVAU:
        // Cache maintenance by address reaches the whole shareability domain on a multiprocessor.
        if (this.cpu.broadcast !== null) this.cpu.broadcast.code(mmu.codePageOf(value));
        return;
      case R.DCISW:
      case R.DCCSW:
      case R.DCCISW:
        // By set/way: any page may have been cleaned.
        this.cpu.broadcast?.cleaned(-1);
        return;
      case R.CP15ISB:
      case R.CP15DSB:
      case R.CP15DMB:
        this.barrier(key);
        return;
      case R.TLBIALLIS:
        this.cpu.broadcast?.tlb(0, value);
      // falls through
      case R.TLBIALL:
      case R.ITLBIALL:
      case R.DTLBIALL:
        mmu.flushTlb();
        return;
      case R.TLBIMVAIS:
        this.cpu.broadcast?.tlb(1, value);
      // falls through
      case R.TLBIMVA:
      case R.ITLBIMVA:
      case R.DTLBIMVA:
        mmu.flushVa(value, value & 0xff, false);
        return;
      case R.TLBIASIDIS:
        this.cpu.broadcast?.tlb(2, value);
      // falls through
      case R.TLBIASID:
      case R.ITLBIASID:
      case R.DTLBIASID:
        mmu.flushAsid(value & 0xff);
        return;
      case R.TLBIMVAAIS:
        this.cpu.broadcast?.tlb(3, value);
      // falls through
      case R.TLBIMVAA:
        mmu.flushVa(value, 0, true);
        return;
      case R.L2CTLR:
      case R.L2ECTLR:
        return;
      case R.PRRR:
        // PRRR and MAIR0 say which mappings are Device memory, which the TLB entries record.
        if ((this.ttbcr & R.TTBCR_EAE) === 0) {
          if ((value | 0) !== this.prrr) {
            this.prrr = value | 0;
            mmu.flushTlb();
          }
        } else if ((value | 0) !== this.mair0) {
          this.mair0 = value | 0;
          mmu.flushTlb();
        }
        return;
      case R.NMRR:
        if ((this.ttbcr & R.TTBCR_EAE) === 0) this.nmrr = value | 0;
        else if ((value | 0) !== this.mair1) {
          this.mair1 = value | 0;
          mmu.flushTlb();
        }
        return;
      case R.AMAIR0:
        this.amair0 = value | 0;
        return;
      case R.AMAIR1:
        this.amair1 = value | 0;
        return;
      case R.VBAR:
        this.vbar = (value & ~0x1f) >>> 0;
        return;
      case R.FCSEIDR:
        // FCSE is not implemented: RAZ/WI.
        return;
      case R.CONTEXTIDR: {
        const old = this.contextidr;
        this.contextidr = value | 0;
        if (((old ^ value) & 0xff) !== 0) mmu.flushNonGlobal();
        return;
      }
      case R.TPIDRURW:
        this.tpidrurw = value | 0;
        return;
      case R.TPIDRURO:
        this.tpidruro = value | 0;
        return;
      case R.TPIDRPRW:
        this.tpidrprw = value | 0;
        return;
      default:
        if (key >>> 12 === 0xf) return;
        this.undefined();
    }
  }

  /** The ASID that tags non-global translations: CONTEXTIDR[7:0], or in the Long-descriptor
   * format TTBR0[55:48] (TTBR1's when TTBCR.A1 is set). */
  currentAsid(): number {
    if ((this.ttbcr & R.TTBCR_EAE) === 0) return this.contextidr & 0xff;
    return ((this.ttbcr & R.TTBCR_A1 ? this.ttbr1Hi : this.ttbr0Hi) >>> 16) & 0xff;
  }

  /** The DFSR/IFSR value of an abort taken now: fault status in the format TTBCR.EAE selects. */
  formatFsr(fsr: number): number {
    return this.ttbcr & R.TTBCR_EAE ? longFsrOf(fsr) : fsr;
  }

  /** MCRR/MRRC to the 64-bit TTBR0, TTBR1 and PAR (PL1 only; Rt = bits [31:0], Rt2 = [63:32]). */
  private translation64(instr: number, rt: number, rt2: number): void {
    const cpu = this.cpu;
    const key = (((instr >>> 4) & 15) << 4) | (instr & 15);
    if (cpu.mode === Mode.USR || (key !== R.TTBR0_64 && key !== R.TTBR1_64 && key !== R.PAR_64)) {
      cpu.undefinedInstruction();
      return;
    }
    if (instr & (1 << 20)) {
      const lo = key === R.TTBR0_64 ? this.ttbr0 : key === R.TTBR1_64 ? this.ttbr1 : this.par;
      const hi = key === R.TTBR0_64 ? this.ttbr0Hi : key === R.TTBR1_64 ? this.ttbr1Hi : this.parHi;
      cpu.r[rt] = lo | 0;
      cpu.r[rt2] = hi | 0;
      return;
    }
    const lo = cpu.r[rt] | 0;
    if (key === R.PAR_64) {
      this.par = lo;
      this.parHi = cpu.r[rt2] | 0;
      return;
    }
    // BADDR[39:32] and the ASID; the rest of the high word is UNK/SBZP.
    const hi = cpu.r[rt2] & 0x00ff00ff;
    if (key === R.TTBR0_64) {
      if (lo === this.ttbr0 && hi === this.ttbr0Hi) return;
      this.ttbr0 = lo;
      this.ttbr0Hi = hi;
    } else {
      if (lo === this.ttbr1 && hi === this.ttbr1Hi) return;
      this.ttbr1 = lo;
      this.ttbr1Hi = hi;
    }
    // A new table base or ASID: the non-global entries belong to the old one.
    cpu.mmu.flushNonGlobal();
  }

  /** CCSIDR of the cache level selected by CSSELR (0 for levels that do not exist). */
  private ccsidr(): number {
    switch (this.csselr) {
      case 0:
        return ID.CCSIDR_L1D;
      case 1:
        return ID.CCSIDR_L1I;
      case 2:
        return ID.CCSIDR_L2;
      default:
        return 0;
    }
  }

  /** CP15 barrier operations: no-ops, UNDEFINED when SCTLR.CP15BEN is 0. */
  private barrier(key: number): void {
    if ((this.sctlr & R.SCTLR_CP15BEN) === 0) this.undefined();
    else this.cpu.barrier(key === R.CP15DSB);
  }

  private timerRead(key: number, user: boolean, instr: number): number {
    const t = this.timerRegs;
    const v = t.read32(key, user, instr);
    if (t.undef) {
      t.undef = false;
      this.undef = true;
    }
    return v;
  }

  private timerWrite(key: number, user: boolean, instr: number, value: number): void {
    const t = this.timerRegs;
    t.write32(key, user, instr, value);
    if (t.undef) {
      t.undef = false;
      this.undef = true;
    }
  }

  private pmuRead(key: number, user: boolean, instr: number): number {
    const p = this.pmuRegs;
    const v = p.read(key, user, instr);
    if (p.undef) {
      p.undef = false;
      this.undef = true;
    }
    return v;
  }

  private pmuWrite(key: number, user: boolean, instr: number, value: number): void {
    const p = this.pmuRegs;
    p.write(key, user, instr, value);
    if (p.undef) {
      p.undef = false;
      this.undef = true;
    }
  }

  private undefined(): number {
    this.undef = true;
    return 0;
  }
}
