#ifndef CSPINWAIT_H
#define CSPINWAIT_H
// The CPU's spin-wait hint, which Swift cannot emit itself: a waiting loop that executes it
// yields pipeline resources to a sibling hyperthread and leaves the loop without a memory-order
// mis-speculation flush when the awaited store arrives.
static inline void cspinwait_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
