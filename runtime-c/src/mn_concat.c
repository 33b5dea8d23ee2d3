/* mn_concat.c - CONCATENATION as a byte copy along one axis, any element type (reference).
 * Contract: mn_kernels.h. Called as mn_concat(p, in_0, ..., in_{count-1}, out). */
#include <stdarg.h>
#include <string.h>
#include "mn_kernels.h"

void mn_concat(const mn_concat_params *p, ...) {
  va_list ap;
  int32_t row = 0;
  for (int32_t k = 0; k < p->count; k++) row += p->in_bytes[k];
  /* the output pointer follows the inputs: find it first */
  va_start(ap, p);
  for (int32_t k = 0; k < p->count; k++) (void)va_arg(ap, const void *);
  unsigned char *const out = (unsigned char *)va_arg(ap, void *);
  va_end(ap);
  va_start(ap, p);
  int32_t col = 0;
  for (int32_t k = 0; k < p->count; k++) {
    const unsigned char *src = (const unsigned char *)va_arg(ap, const void *);
    const int32_t n = p->in_bytes[k];
    for (int32_t o = 0; o < p->outer; o++) memcpy(out + (size_t)o * (size_t)row + (size_t)col, src + (size_t)o * (size_t)n, (size_t)n);
    col += n;
  }
  va_end(ap);
}
