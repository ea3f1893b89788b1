/* arena.h — per-request bump allocator: everything a request allocates lives here and is
 * released at once by arena_reset() when the request ends (no per-object free). */
#ifndef PARLEY_ARENA_H
#define PARLEY_ARENA_H
#include <stddef.h>
#include <stdarg.h>

typedef struct arena_chunk arena_chunk;
typedef struct arena {
    arena_chunk *head;   /* newest chunk first; the last one is kept across resets */
    size_t total;        /* bytes handed out since the last reset */
} arena;

void arena_init(arena *a);
/* Returns zeroed memory aligned for any type, or NULL when malloc fails. */
void *arena_alloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);
/* Frees every chunk but the first, so a steady workload stops calling malloc. */
void arena_reset(arena *a);
void arena_free(arena *a);

#endif
