build/k/kernel/main.o: kernel/main.c kernel/types.h
kernel/types.h:
