/* qr.c — see qr.h. The steps and the module placement follow the standard: the data bits
 * (mode, count, data, terminator, padding) into codewords, Reed–Solomon error correction over
 * GF(256) with the polynomial 0x11D, the function patterns (finders, separators, timing, one
 * alignment pattern from version 2, the dark module, format information), the codewords
 * placed in two-module columns from the bottom right, then each of the eight masks scored and
 * the best kept. Everything is on the stack; nothing outlives a call. */
#include "qr.h"
#include <string.h>
#include "e2e.h"

#define SIDE_MAX E2E_QR_MAX_SIDE

/* Level M, one block per version: data and error-correction codewords. */
static const int qr_data_words[E2E_QR_MAX_VERSION + 1] = {0, 16, 28, 44};
static const int qr_ecc_words[E2E_QR_MAX_VERSION + 1] = {0, 10, 16, 26};

typedef struct qr_grid {
    int side;
    unsigned char dark[SIDE_MAX][SIDE_MAX];   /* [row][column] */
    unsigned char func[SIDE_MAX][SIDE_MAX];   /* a function module: never data, never masked */
} qr_grid;

typedef struct qr_bits {
    unsigned char b[64];
    int n;                                   /* bits written */
} qr_bits;

static void qr_put(qr_bits *s, unsigned v, int count)
{
    for (int i = count - 1; i >= 0; i--, s->n++)
        if ((v >> i) & 1) s->b[s->n >> 3] |= (unsigned char)(0x80 >> (s->n & 7));
}

static unsigned qr_mul(unsigned x, unsigned y)
{
    unsigned z = 0;
    for (int i = 7; i >= 0; i--) {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= ((y >> i) & 1) * x;
    }
    return z & 0xFF;
}

/* The remainder of data (n codewords) times x^degree divided by the generator polynomial
 * whose roots are 2^0 .. 2^(degree-1): the error-correction codewords. */
static void qr_ecc(const unsigned char *data, int n, int degree, unsigned char *out)
{
    unsigned char gen[32] = {0};
    unsigned root = 1;
    gen[degree - 1] = 1;
    for (int i = 0; i < degree; i++) {
        for (int j = 0; j < degree; j++) {
            gen[j] = (unsigned char)qr_mul(gen[j], root);
            if (j + 1 < degree) gen[j] ^= gen[j + 1];
        }
        root = qr_mul(root, 2);
    }
    memset(out, 0, (size_t)degree);
    for (int i = 0; i < n; i++) {
        unsigned factor = data[i] ^ out[0];
        memmove(out, out + 1, (size_t)degree - 1);
        out[degree - 1] = 0;
        for (int j = 0; j < degree; j++) out[j] ^= (unsigned char)qr_mul(gen[j], factor);
    }
}

static void qr_set(qr_grid *g, int x, int y, int dark)
{
    g->dark[y][x] = (unsigned char)(dark != 0);
    g->func[y][x] = 1;
}

static void qr_finder(qr_grid *g, int cx, int cy)
{
    for (int dy = -4; dy <= 4; dy++)
        for (int dx = -4; dx <= 4; dx++) {
            int x = cx + dx, y = cy + dy, adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;
            int dist = adx > ady ? adx : ady;
            if (x >= 0 && x < g->side && y >= 0 && y < g->side) qr_set(g, x, y, dist != 2 && dist != 4);
        }
}

/* The 15 format bits (level M = 0b00, the mask) in both places, and the dark module. */
static void qr_format(qr_grid *g, int mask)
{
    unsigned data = (unsigned)mask, rem = data;
    for (int i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    unsigned bits = ((data << 10) | (rem & 0x3FF)) ^ 0x5412;
    int s = g->side;
#define BIT(i) ((bits >> (i)) & 1)
    for (int i = 0; i <= 5; i++) qr_set(g, 8, i, BIT(i));
    qr_set(g, 8, 7, BIT(6));
    qr_set(g, 8, 8, BIT(7));
    qr_set(g, 7, 8, BIT(8));
    for (int i = 9; i < 15; i++) qr_set(g, 14 - i, 8, BIT(i));
    for (int i = 0; i < 8; i++) qr_set(g, s - 1 - i, 8, BIT(i));
    for (int i = 8; i < 15; i++) qr_set(g, 8, s - 15 + i, BIT(i));
#undef BIT
    qr_set(g, 8, s - 8, 1);
}

static void qr_function_patterns(qr_grid *g, int version)
{
    int s = g->side;
    for (int i = 0; i < s; i++) {
        qr_set(g, 6, i, i % 2 == 0);
        qr_set(g, i, 6, i % 2 == 0);
    }
    qr_finder(g, 3, 3);
    qr_finder(g, s - 4, 3);
    qr_finder(g, 3, s - 4);
    if (version >= 2) {                       /* versions 2–6: one, at (side-7, side-7) */
        for (int dy = -2; dy <= 2; dy++)
            for (int dx = -2; dx <= 2; dx++) {
                int adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;
                qr_set(g, s - 7 + dx, s - 7 + dy, (adx > ady ? adx : ady) != 1);
            }
    }
    qr_format(g, 0);                          /* reserved now, written with the mask later */
}

static void qr_place(qr_grid *g, const unsigned char *words, int n)
{
    int s = g->side, i = 0;
    for (int right = s - 1; right >= 1; right -= 2) {
        if (right == 6) right = 5;            /* the vertical timing pattern's column */
        for (int vert = 0; vert < s; vert++)
            for (int j = 0; j < 2; j++) {
                int x = right - j, upward = ((right + 1) & 2) == 0, y = upward ? s - 1 - vert : vert;
                if (!g->func[y][x] && i < n * 8) {
                    g->dark[y][x] = (words[i >> 3] >> (7 - (i & 7))) & 1;
                    i++;
                }
            }
    }
}

static int qr_mask_bit(int mask, int x, int y)
{
    switch (mask) {
    case 0: return (x + y) % 2 == 0;
    case 1: return y % 2 == 0;
    case 2: return x % 3 == 0;
    case 3: return (x + y) % 3 == 0;
    case 4: return (x / 3 + y / 2) % 2 == 0;
    case 5: return x * y % 2 + x * y % 3 == 0;
    case 6: return (x * y % 2 + x * y % 3) % 2 == 0;
    default: return ((x + y) % 2 + x * y % 3) % 2 == 0;
    }
}

static void qr_apply_mask(qr_grid *g, int mask)
{
    for (int y = 0; y < g->side; y++)
        for (int x = 0; x < g->side; x++)
            if (!g->func[y][x] && qr_mask_bit(mask, x, y)) g->dark[y][x] ^= 1;
}

/* Module (x, y) along a row (horizontal) or a column; outside the symbol is light. */
static int qr_at(const qr_grid *g, int horizontal, int line, int i)
{
    if (i < 0 || i >= g->side) return 0;
    return horizontal ? g->dark[line][i] : g->dark[i][line];
}

/* The standard's penalty: runs of five or more (3 + the excess), 2×2 blocks of one colour
 * (3 each), finder-like 1:1:3:1:1 patterns with four light modules on a side (40 each), and
 * 10 for every 5% the dark share is away from half. */
static long qr_penalty(const qr_grid *g)
{
    static const unsigned char finder[7] = {1, 0, 1, 1, 1, 0, 1};
    int s = g->side;
    long p = 0, dark = 0;
    for (int h = 0; h < 2; h++)
        for (int line = 0; line < s; line++) {
            int run = 1;
            for (int i = 1; i <= s; i++) {
                if (i < s && qr_at(g, h, line, i) == qr_at(g, h, line, i - 1)) { run++; continue; }
                if (run >= 5) p += 3 + (run - 5);
                run = 1;
            }
            for (int i = -4; i + 7 <= s + 4; i++) {
                int match = 1;
                for (int k = 0; k < 7 && match; k++) match = qr_at(g, h, line, i + k) == finder[k];
                if (!match) continue;
                int before = 1, after = 1;
                for (int k = 1; k <= 4; k++) {
                    before = before && !qr_at(g, h, line, i - k);
                    after = after && !qr_at(g, h, line, i + 6 + k);
                }
                if (before || after) p += 40;
            }
        }
    for (int y = 0; y + 1 < s; y++)
        for (int x = 0; x + 1 < s; x++) {
            int c = g->dark[y][x];
            if (g->dark[y][x + 1] == c && g->dark[y + 1][x] == c && g->dark[y + 1][x + 1] == c) p += 3;
        }
    for (int y = 0; y < s; y++)
        for (int x = 0; x < s; x++) dark += g->dark[y][x];
    long total = (long)s * s, diff = dark * 20 - total * 10;
    if (diff < 0) diff = -diff;
    p += 10 * ((diff + total - 1) / total - 1 > 0 ? (diff + total - 1) / total - 1 : 0);
    return p;
}

int e2e_qr_encode(const unsigned char *text, size_t len, unsigned char *out, size_t cap)
{
    int numeric = len > 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9') numeric = 0;
    /* Bits of the segment: mode (4), count (10 numeric, 8 byte, versions 1–9), data. */
    long need = numeric ? 4 + 10 + (long)(len / 3) * 10 + (len % 3 == 2 ? 7 : len % 3 == 1 ? 4 : 0)
                        : 4 + 8 + (long)len * 8;
    int version = 0;
    for (int v = 1; v <= E2E_QR_MAX_VERSION && !version; v++)
        if (need <= qr_data_words[v] * 8 && (numeric || len <= 255)) version = v;
    if (!version) return E2E_EFORMAT;
    int side = 17 + 4 * version;
    if (cap < (size_t)side * (size_t)side) return E2E_ESPACE;

    qr_bits bits;
    memset(&bits, 0, sizeof bits);
    int capacity = qr_data_words[version] * 8;
    if (numeric) {
        qr_put(&bits, 0x1, 4);
        qr_put(&bits, (unsigned)len, 10);
        for (size_t i = 0; i < len; i += 3) {
            size_t k = len - i < 3 ? len - i : 3;
            unsigned v = 0;
            for (size_t j = 0; j < k; j++) v = v * 10 + (unsigned)(text[i + j] - '0');
            qr_put(&bits, v, k == 3 ? 10 : k == 2 ? 7 : 4);
        }
    } else {
        qr_put(&bits, 0x4, 4);
        qr_put(&bits, (unsigned)len, 8);
        for (size_t i = 0; i < len; i++) qr_put(&bits, text[i], 8);
    }
    int term = capacity - bits.n < 4 ? capacity - bits.n : 4;
    qr_put(&bits, 0, term);
    if (bits.n % 8) qr_put(&bits, 0, 8 - bits.n % 8);
    for (int pad = 0xEC; bits.n < capacity; pad ^= 0xEC ^ 0x11) qr_put(&bits, (unsigned)pad, 8);

    unsigned char words[44 + 26];
    int nd = qr_data_words[version], ne = qr_ecc_words[version];
    memcpy(words, bits.b, (size_t)nd);
    qr_ecc(words, nd, ne, words + nd);

    qr_grid g, best;
    memset(&g, 0, sizeof g);
    g.side = side;
    qr_function_patterns(&g, version);
    qr_place(&g, words, nd + ne);
    long best_penalty = -1;
    for (int mask = 0; mask < 8; mask++) {
        qr_grid t = g;
        qr_apply_mask(&t, mask);
        qr_format(&t, mask);
        long p = qr_penalty(&t);
        if (best_penalty < 0 || p < best_penalty) best_penalty = p, best = t;
    }
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) out[y * side + x] = best.dark[y][x];
    return side;
}
