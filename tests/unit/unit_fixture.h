/* unit_fixture.h — the arena fixture the unit tests share, so every test starts from a fresh,
 * empty arena. The fixture owns the memory: setup allocates the state in *state, teardown
 * frees the arena's chunks and the state itself; a test only borrows it. */
#ifndef PARLEY_UNIT_FIXTURE_H
#define PARLEY_UNIT_FIXTURE_H
#include <stdlib.h>
#include "../../cgi/core/arena.h"

/* *state = a zeroed struct of `size` bytes whose FIRST member is an arena, initialised. */
static inline int arena_fix_setup(void **state, size_t size)
{
    arena *a = calloc(1, size);
    if (!a) return -1;
    arena_init(a);
    *state = a;
    return 0;
}

/* Undoes arena_fix_setup; a file's own teardown frees its other members first. */
static inline int arena_fix_teardown(void **state)
{
    arena_free(*state);
    free(*state);
    return 0;
}

/* For tests whose whole state is the arena. */
static inline int arena_setup(void **state) { return arena_fix_setup(state, sizeof(arena)); }
static inline int arena_teardown(void **state) { return arena_fix_teardown(state); }

#endif
