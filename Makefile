# myrmex — build the VMM image, its test guests and its host unit tests.
# Toolchain: the host gcc in freestanding mode plus nasm (no cross compiler needed).

BUILD   := build
CC      := gcc
LD      := ld
NASM    := nasm
OBJCOPY := objcopy

KCFLAGS := -m64 -ffreestanding -nostdlib -fno-pie -mno-red-zone -mgeneral-regs-only \
           -mcmodel=kernel -fno-stack-protector -fno-asynchronous-unwind-tables \
           -fno-omit-frame-pointer -fno-strict-aliasing -O2 -g -std=gnu11 \
           -Wall -Wextra -Werror -Wno-unused-parameter -I.
KLDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Everything under these folders is VMM code; tests/ and tools/ are not.
KDIRS   := boot kernel mmu vmm vmm/dev drivers/ide antfarm iosched
KSRCS   := $(foreach d,$(KDIRS),$(wildcard $(d)/*.c))
KASRCS  := $(foreach d,$(KDIRS),$(wildcard $(d)/*.asm))
KOBJS   := $(patsubst %.c,$(BUILD)/k/%.o,$(KSRCS)) $(patsubst %.asm,$(BUILD)/k/%.asm.o,$(KASRCS))

# Pure logic: touches no hardware, so it is also built and unit-tested on the host.
PURE_SRCS := $(wildcard antfarm/*.c iosched/*.c vmm/dev/*.c) \
             $(wildcard kernel/cmdline.c kernel/config.c vmm/load_linux.c vmm/load_multiboot.c \
                        vmm/decode.c vmm/emulate.c vmm/acpi.c vmm/segcheck.c mmu/walk.c)
UNIT_SRCS := $(wildcard tests/unit/*.c)
HCFLAGS := -DHOST_TEST -O1 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
           -fsanitize=address,undefined -fno-sanitize-recover=undefined -I. -Itests/unit

.PHONY: all iso run test unit debug guest clean deps fuzz fuzzers fuzzers-libfuzzer
all: $(BUILD)/myrmex.elf

deps:
	@./tools/deps.sh

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/k/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -F dwarf -I. $< -o $@

# The 64-bit link keeps symbols for gdb; QEMU -kernel wants ELF32, so the loadable
# image is converted, with each section's VMA moved to its (physical) LMA.
$(BUILD)/myrmex64.elf: $(KOBJS) linker.ld
	$(LD) $(KLDFLAGS) -o $@ $(KOBJS)

$(BUILD)/myrmex.elf: $(BUILD)/myrmex64.elf
	$(OBJCOPY) -O elf32-i386 --change-section-vma '*+0x80000000' --strip-debug $< $@

iso: $(BUILD)/myrmex.iso
$(BUILD)/myrmex.iso: $(BUILD)/myrmex.elf boot/grub.cfg
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(BUILD)/myrmex.elf $(BUILD)/iso/boot/myrmex.elf
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2>/dev/null

# Host unit tests of the pure logic.
$(BUILD)/host/unit_tests: $(UNIT_SRCS) $(PURE_SRCS) $(wildcard */*.h */*/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $(UNIT_SRCS) $(PURE_SRCS)

unit: $(BUILD)/host/unit_tests
	$(BUILD)/host/unit_tests

# Fuzzers (docs/fuzzing.md): one per tests/fuzz/fuzz_NAME.c, built as build/fuzz/NAME from
# the harness, the shared fuzz helpers, the pure sources and the host log shim, with the
# unit tests' sanitizers plus GCC's trace-pc coverage; the driver itself has no coverage.
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB := $(filter-out tests/fuzz/driver.c tests/fuzz/fuzz_%.c,$(wildcard tests/fuzz/*.c))
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(PURE_SRCS) $(FUZZ_LIB) tests/unit/host_shim.c)
FUZZ_COV := -fsanitize-coverage=trace-pc
FUZZ_SECONDS ?= 60
FUZZ_COUNT ?=
FUZZ_SEED ?=

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) $(FUZZ_COV) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/driver.o: tests/fuzz/driver.c tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -c $< -o $@

$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJS) $(BUILD)/fuzz/driver.o
	$(CC) $(HCFLAGS) -o $@ $^

.SECONDARY: $(FUZZ_OBJS) $(patsubst %,$(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o,$(FUZZERS))
fuzzers: $(addprefix $(BUILD)/fuzz/,$(FUZZERS))

# Each fuzzer for FUZZ_SECONDS (or FUZZ_COUNT inputs), one after the other.
fuzz: fuzzers
	@for f in $(FUZZERS); do \
	    $(BUILD)/fuzz/$$f $(if $(FUZZ_COUNT),-n $(FUZZ_COUNT),-t $(FUZZ_SECONDS)) \
	        $(if $(FUZZ_SEED),-s $(FUZZ_SEED)) || exit 1; \
	done

# Optional: the same harnesses under libFuzzer (Debian's clang), as build/fuzz/lf/NAME.
LIBFUZZER_CC ?= clang
LIBFUZZER_FLAGS := -DHOST_TEST -O1 -g -std=gnu11 -I. -Itests/unit -Wno-unknown-attributes \
                   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(BUILD)/fuzz/lf/%: tests/fuzz/fuzz_%.c tests/fuzz/libfuzzer/entry.c $(FUZZ_LIB) $(PURE_SRCS) \
                    tests/unit/host_shim.c
	@mkdir -p $(dir $@)
	$(LIBFUZZER_CC) $(LIBFUZZER_FLAGS) -o $@ $^
fuzzers-libfuzzer: $(addprefix $(BUILD)/fuzz/lf/,$(FUZZERS))

# Test guests and the default Linux guest bring their own rules.
-include tests/guests/guests.mk
-include tests/guests/oldproto/oldproto.mk
-include tests/guests/linux/linux.mk

QEMU_FLAGS := -accel tcg -cpu qemu64,+svm -m 512 -serial stdio -display none -no-reboot \
              -device isa-debug-exit,iobase=0xf4,iosize=4
run: deps
	$(MAKE) all guest
	./tools/run.sh

test: deps
	$(MAKE) all iso test-guests guest
	./tests/run.sh

debug: all
	./tools/debug.sh

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d) $(wildcard $(BUILD)/fuzz/obj/*/*.d $(BUILD)/fuzz/obj/*/*/*.d)
