/*
 * icount.c - exact instruction counting for QEMU system emulation (TCG plugin, plugin API v1, QEMU 7.2).
 *
 * Debian ships QEMU with plugin support but without qemu-plugin.h, so the few API entry points used here
 * are declared by hand (they match include/qemu/qemu-plugin.h of QEMU 7.2, QEMU_PLUGIN_VERSION 1).
 *
 * Build: gcc -shared -fPIC -O2 -o icount.so icount.c            (see Makefile; no glib needed)
 * Use:   qemu-system-arm ... -icount shift=0 -plugin ./icount.so,mark=0xADDR[,hist=1]
 *
 * Every executed guest instruction adds 1 to a counter with an inline (per-instruction) add, so a
 * translation block left half-way (exception, I/O) is still counted exactly.
 * mark=ADDR (the address of mn_bench_mark; bit 0 is ignored for Thumb) prints, each time the instruction
 * at ADDR executes,
 *     icount-plugin: mark <n> total=<insns so far> delta=<insns since the previous mark>
 * and at exit
 *     icount-plugin: total insns=<n>
 * hist=1 also counts executed instructions per mnemonic and prints them at exit (most frequent first):
 *     icount-plugin: hist <mnemonic> <count>
 * prof=1 also counts executed instructions per guest address and prints them at exit (ascending address):
 *     icount-plugin: pc 0x<address> <count>
 * (mnetc bench --functions folds them into functions with the firmware's symbol table).
 * All output goes to stderr.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hand-declared QEMU plugin API (v1) ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* ---- state ---- */
static uint64_t total;            /* incremented inline by every instruction */
static uint64_t mark_addr = UINT64_MAX;
static uint64_t n_marks, last_mark_total;
static int want_hist, want_prof;

struct pc_entry {
  uint64_t addr;
  uint64_t count; /* incremented inline; the entry is never freed or moved */
  struct pc_entry *next;
};
#define PC_BUCKETS 65536u
static struct pc_entry *pc_table[PC_BUCKETS];
static size_t pc_size;

static struct pc_entry *pc_lookup(uint64_t addr) {
  struct pc_entry **slot = &pc_table[(addr >> 1) % PC_BUCKETS];
  for (struct pc_entry *e = *slot; e; e = e->next)
    if (e->addr == addr) return e;
  struct pc_entry *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->addr = addr;
  e->next = *slot;
  *slot = e;
  pc_size++;
  return e;
}

struct hist_entry {
  char name[24];
  uint64_t count; /* incremented inline; the entry is never freed or moved */
  struct hist_entry *next;
};
#define HIST_BUCKETS 1024u
static struct hist_entry *hist_table[HIST_BUCKETS];
static size_t hist_size;
static pthread_mutex_t hist_lock = PTHREAD_MUTEX_INITIALIZER;

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Some targets (RISC-V) print the encoding first ("00080803  lb a6,0(a6)"): skip a leading 4- or
 * 8-digit hex word that is followed by more text. */
static const char *skip_encoding(const char *d) {
  size_t n = 0;
  while (d[n] && !is_space(d[n])) {
    char c = d[n];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return d;
    n++;
  }
  if (n != 4 && n != 8) return d;
  const char *rest = d + n;
  while (is_space(*rest)) rest++;
  return *rest ? rest : d;
}

static struct hist_entry *hist_lookup(const char *disas) {
  char name[24];
  size_t n = 0;
  disas = skip_encoding(disas);
  while (disas[n] && !is_space(disas[n]) && n + 1 < sizeof name) {
    name[n] = disas[n];
    n++;
  }
  name[n] = 0;
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)name[i]) * 16777619u;
  struct hist_entry **slot = &hist_table[h % HIST_BUCKETS];
  for (struct hist_entry *e = *slot; e; e = e->next)
    if (strcmp(e->name, name) == 0) return e;
  struct hist_entry *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  memcpy(e->name, name, n + 1);
  e->next = *slot;
  *slot = e;
  hist_size++;
  return e;
}

static void on_mark(unsigned int vcpu, void *udata) {
  (void)vcpu;
  (void)udata;
  fprintf(stderr, "icount-plugin: mark %" PRIu64 " total=%" PRIu64 " delta=%" PRIu64 "\n", n_marks, total,
          total - last_mark_total);
  n_marks++;
  last_mark_total = total;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
    if ((qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1) == mark_addr)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    if (want_prof) {
      pthread_mutex_lock(&hist_lock);
      struct pc_entry *e = pc_lookup(qemu_plugin_insn_vaddr(insn));
      pthread_mutex_unlock(&hist_lock);
      if (e) qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &e->count, 1);
    }
    if (want_hist) {
      char *d = qemu_plugin_insn_disas(insn);
      pthread_mutex_lock(&hist_lock);
      struct hist_entry *e = hist_lookup(d ? d : "?");
      pthread_mutex_unlock(&hist_lock);
      free(d);
      if (e) qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &e->count, 1);
    }
  }
}

static int by_count_desc(const void *a, const void *b) {
  const struct hist_entry *x = *(struct hist_entry *const *)a, *y = *(struct hist_entry *const *)b;
  if (x->count != y->count) return x->count < y->count ? 1 : -1;
  return strcmp(x->name, y->name);
}

static int by_addr(const void *a, const void *b) {
  const struct pc_entry *x = *(struct pc_entry *const *)a, *y = *(struct pc_entry *const *)b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void on_exit_cb(qemu_plugin_id_t id, void *udata) {
  (void)id;
  (void)udata;
  if (want_prof && pc_size) {
    struct pc_entry **all = malloc(pc_size * sizeof *all);
    if (all) {
      size_t k = 0;
      for (size_t b = 0; b < PC_BUCKETS; b++)
        for (struct pc_entry *e = pc_table[b]; e; e = e->next) all[k++] = e;
      qsort(all, k, sizeof *all, by_addr);
      for (size_t i = 0; i < k; i++)
        if (all[i]->count) fprintf(stderr, "icount-plugin: pc 0x%" PRIx64 " %" PRIu64 "\n", all[i]->addr, all[i]->count);
      free(all);
    }
  }
  if (want_hist && hist_size) {
    struct hist_entry **all = malloc(hist_size * sizeof *all);
    if (all) {
      size_t k = 0;
      for (size_t b = 0; b < HIST_BUCKETS; b++)
        for (struct hist_entry *e = hist_table[b]; e; e = e->next) all[k++] = e;
      qsort(all, k, sizeof *all, by_count_desc);
      for (size_t i = 0; i < k; i++)
        if (all[i]->count) fprintf(stderr, "icount-plugin: hist %s %" PRIu64 "\n", all[i]->name, all[i]->count);
      free(all);
    }
  }
  fprintf(stderr, "icount-plugin: total insns=%" PRIu64 "\n", total);
  fflush(stderr);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "mark=", 5) == 0) {
      mark_addr = strtoull(argv[i] + 5, NULL, 0) & ~(uint64_t)1;
    } else if (strncmp(argv[i], "hist=", 5) == 0) {
      want_hist = strcmp(argv[i] + 5, "0") != 0 && strcmp(argv[i] + 5, "off") != 0;
    } else if (strncmp(argv[i], "prof=", 5) == 0) {
      want_prof = strcmp(argv[i] + 5, "0") != 0 && strcmp(argv[i] + 5, "off") != 0;
    } else {
      fprintf(stderr, "icount-plugin: unknown argument '%s' (expected mark=ADDR, hist=1, prof=1)\n", argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
  qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
  return 0;
}
