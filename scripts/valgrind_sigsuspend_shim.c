/*
 * LD_PRELOAD shim for running Otto's binaries under valgrind 3.19 (Debian 12's).
 *
 * libdispatch parks the main thread of dispatchMain() in sigsuspend() with a mask that is a
 * `static const sigset_t`, in a read-only page. Valgrind 3.19's rt_sigsuspend wrapper edits the
 * caller's mask in place (it removes its own internal signal from it), so it faults on that page
 * and aborts ("Valgrind received a signal 11"). This sigsuspend passes the kernel a writable copy
 * of the mask instead; the behaviour is otherwise the same. scripts/bench_instructions.py builds
 * it with cc and preloads it only under valgrind.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
  sigset_t copy = *mask;
  return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
