/* test_e2e_qr.c — cgi/e2e/qr.h against an independent encoder, libqrencode (the server's own
 * two-factor QR library): for texts of every size and both modes, the same version, the same
 * function patterns, format bits from the standard's table in both copies, and — once each
 * symbol's own mask is taken off — the same data and error-correction modules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <qrencode.h>
#include "../../cgi/e2e/e2e.h"
#include "../../cgi/e2e/qr.h"

/* Format information of level M with masks 0–7, as listed in the standard. */
static const unsigned format_m[8] = {0x5412, 0x5125, 0x5E7C, 0x5B4B, 0x45F9, 0x40CE, 0x4F97, 0x4AA0};

static int mask_bit(int mask, int x, int y)
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

/* The two copies of the 15 format bits of a side × side symbol (1 = dark, bit 0 first). */
static void format_bits(const unsigned char *m, int side, unsigned *first, unsigned *second)
{
#define AT(x, y) (m[(y) * side + (x)] & 1)
    unsigned a = 0, b = 0;
    for (int i = 0; i <= 5; i++) a |= AT(8, i) << i;
    a |= AT(8, 7) << 6 | AT(8, 8) << 7 | AT(7, 8) << 8;
    for (int i = 9; i < 15; i++) a |= AT(14 - i, 8) << i;
    for (int i = 0; i < 8; i++) b |= AT(side - 1 - i, 8) << i;
    for (int i = 8; i < 15; i++) b |= AT(8, side - 15 + i) << i;
#undef AT
    *first = a, *second = b;
}

static int mask_of(unsigned format)
{
    for (int k = 0; k < 8; k++) if (format_m[k] == format) return k;
    return -1;
}

static void same_as_libqrencode(const char *text, int want_side)
{
    size_t len = strlen(text);
    int numeric = len > 0 && strspn(text, "0123456789") == len;
    unsigned char mine[E2E_QR_MAX_SIDE * E2E_QR_MAX_SIDE];
    int side = e2e_qr_encode((const unsigned char *)text, len, mine, sizeof mine);
    assert_int_equal(side, want_side);

    QRinput *in = QRinput_new2(0, QR_ECLEVEL_M);
    assert_non_null(in);
    assert_int_equal(QRinput_append(in, numeric ? QR_MODE_NUM : QR_MODE_8, (int)len, (const unsigned char *)text), 0);
    QRcode *qr = QRcode_encodeInput(in);
    assert_non_null(qr);
    assert_int_equal(qr->width, side);

    unsigned f1, f2, t1, t2;
    format_bits(mine, side, &f1, &f2);
    format_bits(qr->data, side, &t1, &t2);
    assert_int_equal(f1, f2);
    assert_int_equal(t1, t2);
    int mm = mask_of(f1), tm = mask_of(t1);
    assert_true(mm >= 0);                     /* level M, a mask, the BCH bits right */
    assert_true(tm >= 0);
    int data_modules = 0;
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            unsigned char t = qr->data[y * side + x];
            int a = mine[y * side + x];
            assert_true(a == 0 || a == 1);
            if (!(t & 0x80)) {                /* libqrencode: a data or error-correction module */
                data_modules++;
                if ((a ^ mask_bit(mm, x, y)) != ((t & 1) ^ mask_bit(tm, x, y)))
                    fail_msg("\"%s\": data module (%d, %d) differs", text, x, y);
            } else if (!(t & 0x04)) {         /* a function module other than format bits */
                if (a != (t & 1)) fail_msg("\"%s\": function module (%d, %d) differs", text, x, y);
            }
        }
    assert_true(data_modules >= 8 * 26);      /* version 1: 26 codewords */
    QRcode_free(qr);
    QRinput_free(in);
}

static void test_safety_number(void **state)
{
    (void)state;
    /* 60 digits: numeric mode, version 2. */
    same_as_libqrencode("052317844918729304518239041283795501283740912387409128374091", 25);
    same_as_libqrencode("000000000000000000000000000000000000000000000000000000000000", 25);
    same_as_libqrencode("999999999999999999999999999999999999999999999999999999999999", 25);
}

static void test_sizes_and_modes(void **state)
{
    (void)state;
    same_as_libqrencode("7", 21);
    same_as_libqrencode("42", 21);
    same_as_libqrencode("0123456789012345678901234567890123", 21);                 /* 34 digits: version 1's most */
    same_as_libqrencode("01234567890123456789012345678901234", 25);                /* 35 */
    same_as_libqrencode("012345678901234567890123456789012345678901234567890123456789012", 25);   /* 63 */
    same_as_libqrencode("0123456789012345678901234567890123456789012345678901234567890123", 29);  /* 64 */
    same_as_libqrencode("hello", 21);
    same_as_libqrencode("parley safety!", 21);                                    /* 14 bytes */
    same_as_libqrencode("parley safety!!", 25);                                   /* 15 */
    same_as_libqrencode("end-to-end encrypted: compare these", 29);
    same_as_libqrencode("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF", 29);       /* 42 bytes: the most */
}

static void test_refusals(void **state)
{
    (void)state;
    unsigned char out[E2E_QR_MAX_SIDE * E2E_QR_MAX_SIDE];
    const char *too_long = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";         /* 43 bytes */
    assert_int_equal(e2e_qr_encode((const unsigned char *)too_long, strlen(too_long), out, sizeof out), E2E_EFORMAT);
    char digits[102];
    memset(digits, '5', 102);
    assert_int_equal(e2e_qr_encode((const unsigned char *)digits, 101, out, sizeof out), 29);
    assert_int_equal(e2e_qr_encode((const unsigned char *)digits, 102, out, sizeof out), E2E_EFORMAT);
    assert_int_equal(e2e_qr_encode((const unsigned char *)"12", 2, out, 21 * 21 - 1), E2E_ESPACE);
    assert_int_equal(e2e_qr_encode((const unsigned char *)"12", 2, out, 21 * 21), 21);
    assert_int_equal(e2e_qr_encode((const unsigned char *)"", 0, out, sizeof out), 21);   /* libqrencode refuses it */
}

int main(void)
{
    if (e2e_init() != 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safety_number),
        cmocka_unit_test(test_sizes_and_modes),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
