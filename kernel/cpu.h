// cpu.h — what the host CPU offers for virtualization, probed once at boot.
#pragma once
#include "kernel/types.h"

// CPUID 8000_000A EDX: SVM features.
#define SVM_FEAT_NP           BIT(0)
#define SVM_FEAT_LBRV         BIT(1)
#define SVM_FEAT_SVML         BIT(2)
#define SVM_FEAT_NRIPS        BIT(3)
#define SVM_FEAT_TSCRATE      BIT(4)
#define SVM_FEAT_VMCBCLEAN    BIT(5)
#define SVM_FEAT_FLUSHBYASID  BIT(6)
#define SVM_FEAT_DECODEASSIST BIT(7)
#define SVM_FEAT_PAUSEFILTER  BIT(10)

enum virt_kind { VIRT_NONE, VIRT_SVM, VIRT_VMX };

struct cpu_info {
    char vendor[13];
    char brand[49];
    u32 family, model, stepping;
    bool svm, svm_disabled;         // SVM present; disabled by firmware (VM_CR.SVMDIS)
    u32 svm_rev, svm_nasid, svm_features;
    bool vmx, vmx_locked_off;       // VMX present; IA32_FEATURE_CONTROL locked without VMX
    u64 vmx_basic;
    enum virt_kind usable;          // what myrmex can run guests with
};

extern struct cpu_info cpu;

// Probe CPUID and MSRs, log the report; cpu.usable says whether guests can run.
void cpu_probe(void);
