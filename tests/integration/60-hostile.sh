#!/usr/bin/env bash
# 60-hostile.sh — the hostile-guest suite: each attack of hostile.elf runs as VM 0 of one boot
# of myrmex in QEMU TCG, followed by a well-behaved VM 1 (ptwrite.elf). Judged per attack: the
# expected outcome of VM 0, VM 1's clean RESULT, no PANIC, no timeout. Then bad boot inputs
# (modules, command lines) must give a clear error line and a clean VMM status.
source tests/lib.sh
G=build/tests/guests
SECS=${HOSTILE_TIMEOUT:-20}

# Expected outcome of each attack: `pass` (the guest's own checks pass and it exits with code 0:
# it ran on as hardware would) or `stop:REASON` (VM 0 stopped with that reason); alternatives
# are separated by `|`. A write to a page table that the VMM cannot emulate may stop the VM
# loudly (`unsupported-write`) only for the exotic forms (stack pointer or FPU into a table). See tests/guests/hostile/README.md for what each attack does.
EXPECT="
pte_beyond_ram        pass|stop:bad-gpa
pte_host_addrs        pass|stop:bad-gpa
pte_mmio_holes        pass|stop:bad-gpa
pde_table_beyond_ram  pass|stop:bad-gpa
pde_table_mmio        pass|stop:bad-gpa
pde4m_beyond_ram      pass|stop:bad-gpa
pde4m_high_bits       pass
pd_self_ref           pass
pt_maps_itself        pass
cr3_beyond_ram        stop:bad-cr3|stop:triple-fault|stop:bad-gpa
cr3_top_page          stop:bad-cr3|stop:triple-fault|stop:bad-gpa
cr3_unaligned         pass
cr3_garbage_unpaged   pass
cr3_thrash            pass
shadow_many_pts       pass
ptw_add               pass
ptw_sub               pass
ptw_addb_byte1        pass
ptw_lock_xadd         pass
ptw_adc               pass
ptw_not               pass
ptw_setc              pass
ptw_push              pass|stop:unsupported-write
ptw_pop_mem           pass
ptw_pushal            pass|stop:unsupported-write
ptw_fistp             pass|stop:unsupported-write
ptw_movs_pt_to_pt     pass
ptw_rep_stos_df1      pass
ptw_rep_movsb_page    pass
ptw_fxsave            pass|stop:unsupported-write
ptw_straddle_data     pass
ptw_rep_insd_pt       pass|stop:bad-gpa
svm_vmrun             pass
svm_vmmcall           pass
svm_vmload            pass
svm_vmsave            pass
svm_stgi              pass
svm_clgi              pass
svm_skinit            pass
svm_invlpga           pass
msr_efer_bits         pass
msr_pat_rsvd          pass
msr_hsave             pass
msr_vm_cr             pass
msr_syscfg            pass
msr_tsc_aux           pass
msr_apic_base         pass
msr_x2apic            pass
msr_random            pass
cr0_games             pass
cr4_unsupported       pass
cr0_wp_toggle         pass
cr0_ts_em             pass
lmsw_games            pass
mov_cr5               pass
hidden_insns          pass
cpuid_sweep           pass
invd_wbinvd           pass
sgdt_sidt             pass
dr_breakpoint         pass
invlpg_odd            pass
hlt_cli               stop:halt
rep_ins_huge_ecx      pass
rep_ins_df1_huge      pass
string_io_ram_end     pass|stop:bad-gpa
string_io_wrap        pass|stop:bad-gpa
rep_ins_addr16        pass
insb_es_limit         pass
outsb_ds_limit        pass
device_ports          pass
pci_odd               pass
exit_port_odd         stop:exit-port
gdt_limit0            stop:triple-fault
gdt_beyond_ram        stop:triple-fault|stop:bad-gpa
idt_beyond_ram        stop:triple-fault|stop:bad-gpa
idt_limit0_int        stop:triple-fault
seg_loads             pass
far_transfers         pass
task_gate_idt         pass|stop:bad-task-switch|stop:state-tampered
task_gate_busy        pass|stop:bad-task-switch|stop:state-tampered
task_gate_gdt         pass|stop:bad-task-switch|stop:state-tampered
pf_gate_not_present   pass
stack_unmapped        stop:triple-fault
stack_beyond_ram      stop:triple-fault|stop:bad-gpa
pit_storm             pass
pic_eoi_storm         pass
pic_on_exceptions     pass
"

# outcome LOG VM: what VM did: `pass`, `stop:REASON`, `fail:REASON` (its own checks failed), or
# `none` (no stop line).
outcome() {
    local log=$1 vm=$2 line reason code
    line=$(grep -Eo "vm=$vm stop reason=[^ ]+ code=-?[0-9]+" "$log" | head -n 1)
    [ -z "$line" ] && { echo none; return; }
    reason=${line#*reason=}; reason=${reason%% *}; code=${line##*code=}
    if [ "$reason" = exit-port ] && [ "$code" = 0 ] && log_has "$log" "^vm$vm\| RESULT pass=[1-9][0-9]* fail=0" &&
       ! log_has "$log" "^vm$vm\| FAIL "; then echo pass
    elif [ "$reason" = exit-port ] && log_has "$log" "^vm$vm\| (FAIL|RESULT) "; then echo "fail:$(grep -m1 -E "^vm$vm\| FAIL " "$log" | cut -c1-100)"
    else echo "stop:$reason"; fi
}

# expected OUTCOME ALTERNATIVES: OUTCOME is one of the |-separated alternatives.
expected() {
    local alt
    IFS='|' read -ra alts <<<"$2"
    for alt in "${alts[@]}"; do [ "$1" = "$alt" ] && return 0; done
    return 1
}

while read -r attack expect; do
    [ -z "$attack" ] && continue
    log=$LOGDIR/hostile-$attack.log
    qemu_run "$log" "$SECS" -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4" \
        -initrd "$G/hostile.elf attack=$attack,$G/ptwrite.elf"
    got=$(outcome "$log" 0)
    good=$(outcome "$log" 1)
    if [ "$STATUS" = 124 ]; then fail "hostile-$attack" "timeout after ${SECS}s (vm0: $got, vm1: $good)"
    elif log_has "$log" 'PANIC'; then fail "hostile-$attack" "$(grep -m1 PANIC "$log")"
    elif ! expected "$got" "$expect"; then fail "hostile-$attack" "vm0 $got, expected $expect"
    elif [ "$good" != pass ]; then fail "hostile-$attack" "good vm1 $good after the attack"
    elif [ "$(vmm_status "$log")" = none ]; then fail "hostile-$attack" "no final exit status line"
    else pass "hostile-$attack"; fi
done <<<"$EXPECT"

# Bad boot inputs: a clear error line and the named VMM status; never a panic or a hang.
BAD=build/tests/hostile-inputs
mkdir -p "$BAD"
python3 tests/guests/hostile/mkbad.py "$G/hostile.elf" "$BAD"
boot_input() {   # NAME STATUS ERROR-REGEX APPEND INITRD
    local name=$1 want=$2 re=$3 log=$LOGDIR/hostile-input-$1.log
    qemu_run "$log" "$SECS" -cpu qemu64,+svm -kernel build/myrmex.elf -append "exitport=0xf4 $4" -initrd "$5"
    if [ "$STATUS" = 124 ]; then fail "hostile-input-$name" "timeout after ${SECS}s" "$log"
    elif log_has "$log" PANIC; then fail "hostile-input-$name" "$(grep -m1 PANIC "$log")"
    elif [ "$STATUS" != "$want" ]; then fail "hostile-input-$name" "status $STATUS, expected $want" "$log"
    elif ! log_has "$log" "$re"; then fail "hostile-input-$name" "no error line matching /$re/" "$log"
    else pass "hostile-input-$name"; fi
}
boot_input garbage-module   5 'not a guest kernel'    ""            "$BAD/garbage.bin"
boot_input truncated-elf    5 '\] E vm=0 multiboot: segment 0 .*does not fit' "" "$BAD/truncated.elf"
boot_input segment-above-4g 5 '\] E vm=0 multiboot: segment 0 .*does not fit' "" "$BAD/above4g.elf"
boot_input filesz-gt-memsz  5 '\] E vm=0 multiboot: segment 0 .*does not fit' "" "$BAD/filesz.elf"
boot_input unknown-key      2 "\\] E cmdline: unknown option 'bogus\\.key'" "bogus.key=1" "$G/ptwrite.elf"
boot_input mem-not-number   2 "\\] E cmdline: option 'vm0\\.mem': bad value 'abc'" "vm0.mem=abc" "$G/ptwrite.elf"
