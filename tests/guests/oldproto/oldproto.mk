# tests/guests/oldproto/oldproto.mk — the synthetic old-protocol bzImage test kernels
# (boot protocol 2.00, 2.02, 2.03, 2.10) and their initrd, built into build/tests/guests/oldproto/:
#   proto200.bzImage proto202.bzImage proto203.bzImage proto20a.bzImage initrd.bin
# and proto20ahuge.bzImage: the 2.10 kernel with an init_size (0xfffffff0) no RAM holds.
# Included by the root Makefile after guests.mk:   -include tests/guests/oldproto/oldproto.mk
# (guests.mk must leave this folder out of its multiboot guests). `make test-oldproto`
# builds them; `make test-guests` builds them too.

OP_SRC    := tests/guests/oldproto
OP_LIB    := tests/guests/lib
OP_OUT    := $(BUILD)/tests/guests/oldproto
OP_HOSTCC ?= gcc

# Per protocol: setup_sects (deliberately not the "0 means 4" default and all different, so
# a loader must use the header) and initrd_addr_max (2.03 declares 64 MiB: below the
# default 128 MiB of RAM, so a loader must honour it; before 2.03 it is 0x37ffffff).
# 2.10 declares an init_size of 48 MiB: a loader must keep the initrd above 1 MiB + 48 MiB.
OP_VARIANTS := 200 202 203 20a
OP_SECTS_200 := 4
OP_SECTS_202 := 7
OP_SECTS_203 := 10
OP_SECTS_20a := 12
OP_IMAX_200  := 0x37ffffff
OP_IMAX_202  := 0x37ffffff
OP_IMAX_203  := 0x03ffffff
OP_IMAX_20a  := 0x7fffffff
OP_INIT_20a  := 0x3000000

OP_IMAGES := $(patsubst %,$(OP_OUT)/proto%.bzImage,$(OP_VARIANTS)) $(OP_OUT)/proto20ahuge.bzImage
OP_INITRD := $(OP_OUT)/initrd.bin
OP_CFLAGS := -m32 -march=i686 -mgeneral-regs-only -ffreestanding -nostdlib -fno-pie -fno-pic \
             -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin \
             -fno-delete-null-pointer-checks -O2 -g -std=gnu11 -Wall -Wextra -Werror -I. -I$(OP_LIB)
OP_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
              -T $(OP_SRC)/oldproto.ld
# From the shared guest library: COM1 output, printf-lite, mem* routines.
OP_LIB_OBJS := $(patsubst %,$(OP_OUT)/obj/lib/%.o,serial print string report)

.PHONY: test-oldproto
test-oldproto: $(OP_IMAGES) $(OP_INITRD)
test-guests: test-oldproto

$(OP_OUT)/mkbzimage: $(OP_SRC)/mkbzimage.c $(OP_SRC)/oldproto.h
	@mkdir -p $(dir $@)
	$(OP_HOSTCC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -o $@ $<

$(OP_OUT)/obj/lib/%.o: $(OP_LIB)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(OP_CFLAGS) -MMD -MP -c $< -o $@

$(OP_OUT)/obj/entry.asm.o: $(OP_SRC)/entry.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf32 -g -F dwarf $< -o $@

$(OP_OUT)/obj/%/main.o: $(OP_SRC)/main.c $(OP_SRC)/oldproto.h
	@mkdir -p $(dir $@)
	$(CC) $(OP_CFLAGS) -DPROTO=0x$* -DSETUP_SECTS=$(OP_SECTS_$*) -DINITRD_MAX=$(OP_IMAX_$*) -MMD -MP -c $< -o $@

$(OP_OUT)/proto%.elf: $(OP_OUT)/obj/%/main.o $(OP_OUT)/obj/entry.asm.o $(OP_LIB_OBJS) $(OP_SRC)/oldproto.ld
	$(LD) $(OP_LDFLAGS) -o $@ $(filter %.o,$^)

$(OP_OUT)/proto%.pm.bin: $(OP_OUT)/proto%.elf
	$(OBJCOPY) -O binary $< $@

$(OP_OUT)/setup%.bin: $(OP_SRC)/setup.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -DPROTO=0x$* -DSETUP_SECTS=$(OP_SECTS_$*) -DINITRD_MAX=$(OP_IMAX_$*) \
	    -DINIT_SIZE=$(or $(OP_INIT_$*),0) $< -o $@

$(OP_OUT)/setup20ahuge.bin: $(OP_SRC)/setup.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin -DPROTO=0x20a -DSETUP_SECTS=$(OP_SECTS_20a) -DINITRD_MAX=$(OP_IMAX_20a) \
	    -DINIT_SIZE=0xfffffff0 $< -o $@

$(OP_OUT)/proto20ahuge.bzImage: $(OP_OUT)/setup20ahuge.bin $(OP_OUT)/proto20a.pm.bin $(OP_OUT)/mkbzimage
	$(OP_OUT)/mkbzimage image $(word 1,$^) $(word 2,$^) $@

$(OP_OUT)/proto%.bzImage: $(OP_OUT)/setup%.bin $(OP_OUT)/proto%.pm.bin $(OP_OUT)/mkbzimage
	$(OP_OUT)/mkbzimage image $(word 1,$^) $(word 2,$^) $@

$(OP_INITRD): $(OP_OUT)/mkbzimage
	$(OP_OUT)/mkbzimage initrd $@

.SECONDARY: $(patsubst %,$(OP_OUT)/proto%.elf,$(OP_VARIANTS)) $(patsubst %,$(OP_OUT)/proto%.pm.bin,$(OP_VARIANTS)) \
            $(patsubst %,$(OP_OUT)/setup%.bin,$(OP_VARIANTS)) $(patsubst %,$(OP_OUT)/obj/%/main.o,$(OP_VARIANTS)) \
            $(OP_LIB_OBJS)

-include $(wildcard $(OP_OUT)/obj/*/*.d)
