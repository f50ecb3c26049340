# tests/guests/guests.mk — build the 32-bit multiboot test guests as build/tests/guests/NAME.elf
# Each folder tests/guests/NAME/ (except lib/ and linux/) is one guest kernel; every guest
# links the shared library in tests/guests/lib/. Included by the root Makefile.

TG_SRC    := tests/guests
TG_OUT    := $(BUILD)/tests/guests
TG_NAMES  := $(filter-out lib linux oldproto,$(patsubst $(TG_SRC)/%/,%,$(wildcard $(TG_SRC)/*/)))
TG_ELFS   := $(patsubst %,$(TG_OUT)/%.elf,$(TG_NAMES))
TG_CFLAGS := -m32 -march=i686 -mgeneral-regs-only -ffreestanding -nostdlib -fno-pie -fno-pic \
              -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -O2 -g -std=gnu11 \
              -Wall -Wextra -Werror -I. -I$(TG_SRC)/lib
TG_LDFLAGS := -m elf_i386 -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T $(TG_SRC)/lib/guest.ld
TG_LIB_OBJS := $(patsubst $(TG_SRC)/%.c,$(TG_OUT)/obj/%.o,$(wildcard $(TG_SRC)/lib/*.c)) \
               $(patsubst $(TG_SRC)/%.asm,$(TG_OUT)/obj/%.asm.o,$(wildcard $(TG_SRC)/lib/*.asm))

.PHONY: test-guests
test-guests: $(TG_ELFS)

$(TG_OUT)/obj/%.o: $(TG_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TG_CFLAGS) -MMD -MP -c $< -o $@

$(TG_OUT)/obj/%.asm.o: $(TG_SRC)/%.asm
	@mkdir -p $(dir $@)
	$(NASM) -f elf32 -g -F dwarf $< -o $@

# The objects of one guest: its own folder's C and asm files.
tg_objs = $(patsubst $(TG_SRC)/%.c,$(TG_OUT)/obj/%.o,$(wildcard $(TG_SRC)/$(1)/*.c)) \
          $(patsubst $(TG_SRC)/%.asm,$(TG_OUT)/obj/%.asm.o,$(wildcard $(TG_SRC)/$(1)/*.asm))

define TG_RULE
$(TG_OUT)/$(1).elf: $(call tg_objs,$(1)) $(TG_LIB_OBJS) $(TG_SRC)/lib/guest.ld
	$(LD) $(TG_LDFLAGS) -o $$@ $(call tg_objs,$(1)) $(TG_LIB_OBJS)
endef
$(foreach g,$(TG_NAMES),$(eval $(call TG_RULE,$(g))))

-include $(wildcard $(TG_OUT)/obj/*/*.d)
