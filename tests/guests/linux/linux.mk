# linux.mk — the default Linux guest (included by the root Makefile). See docs/guest.md.
#
#   make guest           build/guest/bzImage + build/guest/initrd.img
#   make guest-workload  build/guest/workload and build/guest/tracedump only
#   make guest-check     boot the guest straight under QEMU (no VMM), as a smoke test
#
# Downloads (Debian i386 packages through apt) are cached in build/guest/debs.

GUEST_DIR  := $(BUILD)/guest
GUEST_SRC  := tests/guests/linux
GUEST_WL   := $(GUEST_DIR)/workload
GUEST_TD   := $(GUEST_DIR)/tracedump
WL_COMMON  := $(GUEST_SRC)/sys.S $(GUEST_SRC)/wlib.c
WL_DEPS    := $(WL_COMMON) $(GUEST_SRC)/sys.h $(GUEST_SRC)/wlib.h $(GUEST_SRC)/linux.mk

# No libc: raw int $0x80 calls only, so the binary runs on Linux 2.4, 2.6 and 6.1.
# i586 code (rdtsc, no cmov, no SSE); one PT_LOAD per permission, no build-id.
WL_CFLAGS  := -m32 -march=i586 -mtune=generic -static -nostdlib -ffreestanding -fno-pie \
              -no-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin \
              -O2 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter
WL_LDFLAGS := -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,noseparate-code -Wl,-z,norelro

GUEST_INITRD_FILES := $(GUEST_SRC)/init $(GUEST_SRC)/procstorm.sh

.PHONY: guest guest-workload guest-check
guest: $(GUEST_DIR)/bzImage $(GUEST_DIR)/initrd.img
guest-workload: $(GUEST_WL) $(GUEST_TD)

$(GUEST_WL): $(GUEST_SRC)/workload.c $(WL_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(WL_CFLAGS) $(WL_LDFLAGS) -o $@ $(WL_COMMON) $< -lgcc

$(GUEST_TD): $(GUEST_SRC)/tracedump.c $(WL_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(WL_CFLAGS) $(WL_LDFLAGS) -o $@ $(WL_COMMON) $< -lgcc

# The kernel package (and busybox) are resolved through apt and cached; the rule reruns
# only when the script changes or the image is missing.
$(GUEST_DIR)/bzImage: tools/mkguest.sh
	./tools/mkguest.sh fetch
	./tools/mkguest.sh kernel

$(GUEST_DIR)/initrd.img: $(GUEST_DIR)/bzImage $(GUEST_WL) $(GUEST_TD) $(GUEST_INITRD_FILES) tools/mkguest.sh
	./tools/mkguest.sh initrd $(GUEST_WL) $(GUEST_TD)

guest-check: guest
	./tools/guest-native.sh
