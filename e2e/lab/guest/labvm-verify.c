/*
 * labvm-verify: the lab guest's memory checker (issue 29). Built static by e2e/lab/up.sh (and scripts/xen-capture.sh
 * for the Xen PV guest) into the guest's initramfs; its output is read from the guest's serial console by
 * e2e/lab/verifier.ts.
 *
 *   labvm-verify TAG MIB DELAY_US [BEAT_S [DEVICE]]
 *
 * Fills MIB MiB of locked memory (or, given DEVICE, the first MIB MiB of that block device) with pages whose contents are a function of (page number, generation), then walks
 * the pages forever: each page must still hold the generation it was last given before it gets the next one. A pass
 * over every page is one generation; DELAY_US microseconds pass between passes (the lab's dirty-rate knob). Every
 * BEAT_S seconds (default 5) it prints a heartbeat with its counters, and at once any page that holds something else:
 *
 *   TAG: uptime=12s dirty_passes=40 verified_pages=327680 mismatches=0 mib=32
 *   TAG: MISMATCH page=1234 want gen=41 got gen=40 word=0
 *
 * "got gen=" names the generation the page does hold when it is one of the last few (a page the migration did not
 * resend holds an older one), else "got value=0x…". uptime is CLOCK_BOOTTIME, as /proc/uptime: it counts across a
 * migration or a save and restore and starts again only at a boot. The counters are the guest's own: a restore of an
 * older image shows them going backwards.
 *
 * With DEVICE (the lab guest's /dev/vda, e2e/lab/guest/init) every page is read from and written to the device
 * itself, past the guest's page cache (O_DIRECT), and each pass ends with fdatasync: a page the disk does not hold as
 * it was last written — a write a disk copy lost, or a copy taken from an older state — is a MISMATCH, printed as for
 * memory. The expected generation lives in the checker's memory, which the migration carries with the guest.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 8u)
#define STEP 0x9E3779B97F4A7C15ull
#define MAX_REPORTS_PER_PASS 16

static uint64_t mix(uint64_t x) { /* splitmix64's finaliser */
  x ^= x >> 30; x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27; x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
static uint64_t base_of(uint64_t page, uint64_t gen) { return mix((page << 24) ^ gen ^ 0x6C6162766Dull); }

static void fill(uint64_t *w, uint64_t page, uint64_t gen) {
  uint64_t v = base_of(page, gen);
  for (unsigned i = 0; i < WORDS; i++, v += STEP) w[i] = v;
}

/* The first word that differs from generation gen's contents, or -1 when the page is whole. */
static int first_bad(const uint64_t *w, uint64_t page, uint64_t gen) {
  uint64_t v = base_of(page, gen);
  for (unsigned i = 0; i < WORDS; i++, v += STEP)
    if (w[i] != v) return (int)i;
  return -1;
}

static uint64_t seconds_up(void) {
  struct timespec t;
  clock_gettime(CLOCK_BOOTTIME, &t);
  return (uint64_t)t.tv_sec;
}

/* Where the pages are: memory (mem), or a block device (fd >= 0) read into and written from one aligned buffer. */
static uint64_t *mem = 0, *buf = 0;
static int fd = -1;

static uint64_t *load(uint64_t p) {
  if (fd < 0) return mem + p * WORDS;
  if (pread(fd, buf, PAGE, (off_t)(p * PAGE)) != (ssize_t)PAGE) memset(buf, 0, PAGE); /* a short read: a mismatch */
  return buf;
}
static int store(uint64_t p, const char *tag) {
  if (fd < 0 || pwrite(fd, buf, PAGE, (off_t)(p * PAGE)) == (ssize_t)PAGE) return 0;
  printf("%s: MISMATCH page=%llu write failed\n", tag, (unsigned long long)p);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: labvm-verify TAG MIB DELAY_US [BEAT_S [DEVICE]]\n");
    return 2;
  }
  const char *tag = argv[1];
  uint64_t mib = strtoull(argv[2], 0, 10), delay = strtoull(argv[3], 0, 10);
  uint64_t beat = argc > 4 ? strtoull(argv[4], 0, 10) : 5;
  uint64_t pages = mib * (1024 * 1024 / PAGE);
  uint64_t passes = 0, verified = 0, mismatches = 0, last = 0;
  setvbuf(stdout, 0, _IOLBF, 0);
  const char *device = argc > 5 ? argv[5] : 0;
  if (device && pages) {
    fd = open(device, O_RDWR | O_DIRECT);
    if (fd < 0 || posix_memalign((void **)&buf, PAGE, PAGE) != 0) {
      printf("%s: verifier cannot open %s\n", tag, device);
      return 1;
    }
    for (uint64_t p = 0; p < pages; p++) {
      fill(buf, p, 1);
      if (store(p, tag)) return 1;
    }
    fdatasync(fd);
  } else if (pages) {
    mem = mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED) {
      printf("%s: verifier cannot map %llu MiB\n", tag, (unsigned long long)mib);
      return 1;
    }
    if (mlock(mem, pages * PAGE) != 0) printf("%s: verifier could not lock its memory (it checks it all the same)\n", tag);
    for (uint64_t p = 0; p < pages; p++) fill(mem + p * WORDS, p, 1);
  }
  uint64_t gen = 1; /* every page holds gen */
  /* the address is the guest process's own: e2e/lab/verifier.test.ts corrupts a native run's pages through it */
  if (device)
    printf("%s: verifier filled %llu pages (%llu MiB) of %s, delay %llu us\n", tag, (unsigned long long)pages,
           (unsigned long long)mib, device, (unsigned long long)delay);
  else
    printf("%s: verifier filled %llu pages (%llu MiB) at %p, delay %llu us\n", tag, (unsigned long long)pages,
           (unsigned long long)mib, (void *)mem, (unsigned long long)delay);
  for (;;) {
    unsigned reports = 0;
    for (uint64_t p = 0; p < pages; p++) {
      uint64_t *w = load(p);
      int bad = first_bad(w, p, gen);
      if (bad >= 0) {
        mismatches++;
        if (reports++ < MAX_REPORTS_PER_PASS) {
          long got = -1;
          for (uint64_t g = gen > 4 ? gen - 4 : 1; g <= gen + 1 && got < 0; g++)
            if (first_bad(w, p, g) < 0) got = (long)g;
          if (got >= 0)
            printf("%s: MISMATCH page=%llu want gen=%llu got gen=%ld word=%d\n", tag, (unsigned long long)p,
                   (unsigned long long)gen, got, bad);
          else
            printf("%s: MISMATCH page=%llu want gen=%llu got value=0x%016llx word=%d\n", tag, (unsigned long long)p,
                   (unsigned long long)gen, (unsigned long long)w[bad], bad);
        }
      }
      verified++;
      fill(w, p, gen + 1);
      if (store(p, tag)) mismatches++;
      if ((p & 255) == 255 || p + 1 == pages) {
        uint64_t now = seconds_up();
        if (now - last >= beat) {
          printf("%s: uptime=%llus dirty_passes=%llu verified_pages=%llu mismatches=%llu mib=%llu\n", tag,
                 (unsigned long long)now, (unsigned long long)passes, (unsigned long long)verified,
                 (unsigned long long)mismatches, (unsigned long long)mib);
          last = now;
        }
      }
    }
    if (fd >= 0) fdatasync(fd);
    gen++;
    passes++;
    if (reports > MAX_REPORTS_PER_PASS)
      printf("%s: MISMATCH %u more pages in pass %llu\n", tag, reports - MAX_REPORTS_PER_PASS,
             (unsigned long long)passes);
    if (!pages) { /* nothing to check: a heartbeat only */
      sleep(1);
      uint64_t now = seconds_up();
      if (now - last >= beat) {
        printf("%s: uptime=%llus dirty_passes=0 verified_pages=0 mismatches=0 mib=0\n", tag, (unsigned long long)now);
        last = now;
      }
    } else if (delay) usleep(delay);
  }
}
