// cpu.c — the CPU report at boot: vendor, family/model, SVM features or VMX capabilities.
#include "kernel/cpu.h"
#include "kernel/x86.h"
#include "kernel/trap.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define CPUID1_ECX_VMX       BIT(5)
#define CPUID81_ECX_SVM      BIT(2)
#define MSR_VMX_BASIC        0x480
#define FEATURE_CONTROL_LOCK BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

struct cpu_info cpu;

static void probe_identity(void)
{
    u32 a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    memcpy(cpu.vendor, &b, 4);
    memcpy(cpu.vendor + 4, &d, 4);
    memcpy(cpu.vendor + 8, &c, 4);
    cpuid(1, 0, &a, &b, &c, &d);
    cpu.family = (a >> 8) & 0xf;
    cpu.model = (a >> 4) & 0xf;
    cpu.stepping = a & 0xf;
    if (cpu.family == 0xf) cpu.family += (a >> 20) & 0xff;
    if (cpu.family >= 6) cpu.model |= ((a >> 16) & 0xf) << 4;
    cpu.vmx = c & CPUID1_ECX_VMX;
    u32 maxext;
    cpuid(0x80000000, 0, &maxext, &b, &c, &d);
    if (maxext >= 0x80000004) {
        u32 *w = (u32 *)cpu.brand;
        for (u32 leaf = 0; leaf < 3; leaf++)
            cpuid(0x80000002 + leaf, 0, &w[leaf * 4], &w[leaf * 4 + 1], &w[leaf * 4 + 2], &w[leaf * 4 + 3]);
    }
    if (maxext >= 0x80000001) {
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        cpu.svm = c & CPUID81_ECX_SVM;
    }
    if (cpu.svm && maxext >= 0x8000000a) {
        cpuid(0x8000000a, 0, &a, &b, &c, &d);
        cpu.svm_rev = a & 0xff;
        cpu.svm_nasid = b;
        cpu.svm_features = d;
    }
}

static void report_svm(void)
{
    u64 vmcr = 0;
    // VM_CR may be missing (Bochs reads 0); SVMDIS set means the firmware disabled SVM.
    if (rdmsr_safe(MSR_VM_CR, &vmcr) && (vmcr & VM_CR_SVMDIS)) cpu.svm_disabled = true;
    u32 f = cpu.svm_features;
    log_info("cpu svm=yes rev=%u asids=%u features=0x%x nested-paging=%s next-rip-save=%s "
             "decode-assists=%s flush-by-asid=%s vmcb-clean-bits=%s", cpu.svm_rev, cpu.svm_nasid, f,
             f & SVM_FEAT_NP ? "yes" : "no", f & SVM_FEAT_NRIPS ? "yes" : "no",
             f & SVM_FEAT_DECODEASSIST ? "yes" : "no", f & SVM_FEAT_FLUSHBYASID ? "yes" : "no",
             f & SVM_FEAT_VMCBCLEAN ? "yes" : "no");
    if (cpu.svm_disabled)
        log_err("cpu: SVM is present but disabled by the firmware (VM_CR.SVMDIS=1): "
                "enable virtualization (SVM) in the BIOS setup");
    else if (cpu.svm_nasid < 2)
        log_err("cpu: SVM reports %u ASIDs; at least 2 are needed", cpu.svm_nasid);
    else
        cpu.usable = VIRT_SVM;
}

static void report_vmx(void)
{
    u64 fc = 0;
    rdmsr_safe(MSR_FEATURE_CONTROL, &fc);
    rdmsr_safe(MSR_VMX_BASIC, &cpu.vmx_basic);
    cpu.vmx_locked_off = (fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
    log_info("cpu vmx=yes revision=0x%llx vmcs-size=%llu feature-control=0x%llx%s",
             cpu.vmx_basic & 0x7fffffff, (cpu.vmx_basic >> 32) & 0x1fff, fc,
             cpu.vmx_locked_off ? " (VMX disabled by the firmware)" : "");
    log_err("cpu: VMX found, but myrmex has no VT-x backend yet");
}

void cpu_probe(void)
{
    probe_identity();
    log_info("cpu vendor=%s family=0x%x model=0x%x stepping=%u brand=\"%s\"", cpu.vendor,
             cpu.family, cpu.model, cpu.stepping, cpu.brand[0] ? cpu.brand : "?");
    if (cpu.svm) report_svm();
    if (cpu.vmx) report_vmx();
    if (!cpu.svm && !cpu.vmx)
        log_err("cpu: no hardware virtualization (neither AMD SVM nor Intel VMX): "
                "guests cannot run");
    else if (cpu.usable == VIRT_NONE)
        log_err("cpu: hardware virtualization is not usable: guests cannot run");
}
