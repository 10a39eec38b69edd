/* Compiled helpers of the cleaner: the per-line scans of a page.
 *
 * Why C: these loops touch every character or every line of a page and made
 * about half of a text page's cleaning time in Python (regex scans, then
 * Python work per match or per line). Each function here has a Python
 * reference that gives exactly the same result, used when this module was
 * not built (no C compiler):
 *
 *   word_counts  classify._word_counts_py   \w+ words and function words per line
 *   lines        segment._lines_py          a text page's non-empty lines as blocks
 *   stem_flags   classify._stem_flags_py    which lexicon stems each short line holds
 *   plain_flags  classify._plain_flags_py   which lines may be furniture without a stem
 *
 * tests/test_speedups.py checks each pair agrees on arbitrary text.
 * Character classes are those of Python's re on str patterns (sre):
 * \w = Py_UNICODE_ISALNUM or "_", \s = Py_UNICODE_ISSPACE,
 * \d = Py_UNICODE_ISDECIMAL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* A str argument that can be read: a str, and (before 3.12, where legacy
 * strings may still lack their compact form) made ready. */
static inline int
readable_str(PyObject *s)
{
    if (!PyUnicode_Check(s))
        return 0;
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(s) < 0) {
        PyErr_Clear();
        return 0;
    }
#endif
    return 1;
}

/* Longest stopword the table holds; longer entries are refused at set-up. */
#define MAX_WORD 24
#define TABLE_BITS 11
#define TABLE_SIZE (1 << TABLE_BITS)

typedef struct {
    Py_ssize_t len; /* 0: empty slot */
    Py_UCS4 chars[MAX_WORD];
} Entry;

static Entry table[TABLE_SIZE];
static Py_ssize_t table_count = 0;
static Py_ssize_t longest = 0;

static inline unsigned long
word_hash(const Py_UCS4 *w, Py_ssize_t n)
{
    unsigned long h = 2166136261UL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned long)w[i];
        h *= 16777619UL;
    }
    return h;
}

static int
table_has(const Py_UCS4 *w, Py_ssize_t n)
{
    unsigned long slot = word_hash(w, n) & (TABLE_SIZE - 1);
    for (;;) {
        Entry *e = &table[slot];
        if (e->len == 0)
            return 0;
        if (e->len == n && memcmp(e->chars, w, (size_t)n * sizeof(Py_UCS4)) == 0)
            return 1;
        slot = (slot + 1) & (TABLE_SIZE - 1);
    }
}

static PyObject *
set_stopwords(PyObject *self, PyObject *words)
{
    PyObject *it = PyObject_GetIter(words);
    if (it == NULL)
        return NULL;
    memset(table, 0, sizeof(table));
    table_count = 0;
    longest = 0;
    PyObject *item;
    while ((item = PyIter_Next(it)) != NULL) {
        if (!readable_str(item)) {
            Py_DECREF(item);
            Py_DECREF(it);
            PyErr_SetString(PyExc_TypeError, "stopwords must be str");
            return NULL;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(item);
        /* keep the table at most half full, so probing stays short */
        if (n == 0 || n > MAX_WORD || table_count >= TABLE_SIZE / 2) {
            Py_DECREF(item);
            Py_DECREF(it);
            memset(table, 0, sizeof(table));
            table_count = 0;
            PyErr_SetString(PyExc_ValueError, "stopword empty, too long or too many");
            return NULL;
        }
        Py_UCS4 buf[MAX_WORD];
        int kind = PyUnicode_KIND(item);
        const void *data = PyUnicode_DATA(item);
        for (Py_ssize_t i = 0; i < n; i++)
            buf[i] = PyUnicode_READ(kind, data, i);
        Py_DECREF(item);
        if (table_has(buf, n))
            continue;
        unsigned long slot = word_hash(buf, n) & (TABLE_SIZE - 1);
        while (table[slot].len != 0)
            slot = (slot + 1) & (TABLE_SIZE - 1);
        table[slot].len = n;
        memcpy(table[slot].chars, buf, (size_t)n * sizeof(Py_UCS4));
        table_count++;
        if (n > longest)
            longest = n;
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    return PyLong_FromSsize_t(table_count);
}

/* \w on ASCII: [0-9A-Za-z_] */
static const unsigned char ascii_word[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1, ['8'] = 1, ['9'] = 1, ['_'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static inline int
is_word(Py_UCS4 c)
{
    return c < 128 ? ascii_word[c] : Py_UNICODE_ISALNUM(c);
}

/* The scans below are written once, for any str storage kind, and
 * instantiated per kind (1, 2 or 4 bytes a character) by always_inline with
 * a constant kind: on the usual one-byte pages a character read is then a
 * plain array access instead of PyUnicode_READ's switch. */
#if defined(__GNUC__) || defined(__clang__)
#define SPECIALISE static inline __attribute__((always_inline))
#else
#define SPECIALISE static inline
#endif

/* Words and stopwords of one str: the two counts. */
SPECIALISE void
count_line_kind(const int kind, const void *data, Py_ssize_t n, Py_ssize_t *words, Py_ssize_t *stops)
{
    Py_ssize_t nw = 0, ns = 0;
    Py_UCS4 buf[MAX_WORD];
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!is_word(c)) {
            i++;
            continue;
        }
        Py_ssize_t len = 0;
        while (i < n) {
            c = PyUnicode_READ(kind, data, i);
            if (!is_word(c))
                break;
            if (len < MAX_WORD)
                buf[len] = c;
            len++;
            i++;
        }
        nw++;
        if (len <= longest && table_has(buf, len))
            ns++;
    }
    *words = nw;
    *stops = ns;
}

static void
count_line(PyObject *s, Py_ssize_t *words, Py_ssize_t *stops)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    const void *data = PyUnicode_DATA(s);
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        count_line_kind(PyUnicode_1BYTE_KIND, data, n, words, stops);
        break;
    case PyUnicode_2BYTE_KIND:
        count_line_kind(PyUnicode_2BYTE_KIND, data, n, words, stops);
        break;
    default:
        count_line_kind(PyUnicode_4BYTE_KIND, data, n, words, stops);
    }
}

static PyObject *
word_counts(PyObject *self, PyObject *args)
{
    PyObject *lines;
    Py_ssize_t min_chars;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &lines, &min_chars))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(lines);
    PyObject *nws = PyList_New(n);
    PyObject *stops = PyList_New(n);
    if (nws == NULL || stops == NULL) {
        Py_XDECREF(nws);
        Py_XDECREF(stops);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *s = PyList_GET_ITEM(lines, k);
        if (!readable_str(s)) {
            Py_DECREF(nws);
            Py_DECREF(stops);
            PyErr_SetString(PyExc_TypeError, "lines must be str");
            return NULL;
        }
        Py_ssize_t nw = 0, ns = 0;
        if (PyUnicode_GET_LENGTH(s) >= min_chars)
            count_line(s, &nw, &ns);
        PyObject *a = PyLong_FromSsize_t(nw);
        PyObject *b = PyLong_FromSsize_t(ns);
        if (a == NULL || b == NULL) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_DECREF(nws);
            Py_DECREF(stops);
            return NULL;
        }
        PyList_SET_ITEM(nws, k, a);
        PyList_SET_ITEM(stops, k, b);
    }
    return Py_BuildValue("(NN)", nws, stops);
}

/* ---- lines: segment._lines_py ------------------------------------------- */

static PyObject *str_line, *str_list_item, *int_zero;

/* A list bullet at the start of a stripped line: "* ", "• ", "12. ", "3) ".
 * Returns where the text after the bullet starts, or 0 when there is none:
 * re "(?:[*•·‣▪◦+-]|\d{1,3}[.)])\s+(?=\S)" matched at 0. */
static Py_ssize_t
bullet_end(int kind, const void *data, Py_ssize_t s, Py_ssize_t e)
{
    Py_UCS4 c = PyUnicode_READ(kind, data, s);
    Py_ssize_t p;
    if (c == '*' || c == 0x2022 || c == 0x00B7 || c == 0x2023 || c == 0x25AA
            || c == 0x25E6 || c == '+' || c == '-') {
        p = s + 1;
    } else {
        p = s;
        while (p < e && p - s <= 3 && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, p)))
            p++;
        Py_ssize_t digits = p - s;
        if (digits < 1 || digits > 3 || p >= e)
            return 0;
        c = PyUnicode_READ(kind, data, p);
        if (c != '.' && c != ')')
            return 0;
        p++;
    }
    Py_ssize_t q = p;
    while (q < e && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, q)))
        q++;
    /* at least one space, then a non-space (e is the line's last non-space + 1) */
    if (q == p || q >= e)
        return 0;
    return q - s;
}

static PyObject *
make_seg(PyObject *text, Py_ssize_t s, Py_ssize_t e, Py_ssize_t start, PyObject *src)
{
    PyObject *t = PyUnicode_Substring(text, s, e);
    if (t == NULL)
        return NULL;
    PyObject *a = PyLong_FromSsize_t(start), *b = PyLong_FromSsize_t(e);
    if (a == NULL || b == NULL) {
        Py_DECREF(t);
        Py_XDECREF(a);
        Py_XDECREF(b);
        return NULL;
    }
    PyObject *seg = PyTuple_New(6);
    if (seg == NULL) {
        Py_DECREF(t);
        Py_DECREF(a);
        Py_DECREF(b);
        return NULL;
    }
    PyTuple_SET_ITEM(seg, 0, t);
    PyTuple_SET_ITEM(seg, 1, a);
    PyTuple_SET_ITEM(seg, 2, b);
    Py_INCREF(src);
    PyTuple_SET_ITEM(seg, 3, src);
    Py_INCREF(int_zero);
    PyTuple_SET_ITEM(seg, 4, int_zero);
    Py_INCREF(int_zero);
    PyTuple_SET_ITEM(seg, 5, int_zero);
    return seg;
}

static PyObject *
lines(PyObject *self, PyObject *text)
{
    if (!readable_str(text)) {
        PyErr_SetString(PyExc_TypeError, "text must be str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *segs = PyList_New(0);
    if (segs == NULL)
        return NULL;
    Py_ssize_t long_lines = 0;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            i++;
            continue;
        }
        /* a match of re "\S(?:[^\n]*\S)?": from here to the last non-space before "\n" */
        Py_ssize_t s = i, e = i + 1, j = i + 1;
        while (j < n) {
            c = PyUnicode_READ(kind, data, j);
            if (c == '\n')
                break;
            j++;
            if (!Py_UNICODE_ISSPACE(c))
                e = j;
        }
        i = e;
        PyObject *seg;
        Py_ssize_t k = bullet_end(kind, data, s, e);
        if (k) {
            seg = make_seg(text, s + k, e, s + k, str_list_item);
            if (e - s - k > 100)
                long_lines++;
        } else {
            seg = make_seg(text, s, e, s, str_line);
            if (e - s > 100)
                long_lines++;
        }
        if (seg == NULL || PyList_Append(segs, seg) < 0) {
            Py_XDECREF(seg);
            Py_DECREF(segs);
            return NULL;
        }
        Py_DECREF(seg);
    }
    return Py_BuildValue("(Nn)", segs, long_lines);
}

/* ---- stem_flags: classify._stem_flags_py ------------------------------------ */

/* Stems are found by their first two characters: a table of 4096 buckets
 * keyed by a hash of the pair, each a chain of stems; most positions of a
 * line hit an empty bucket. One-character stems are checked on their own. */
#define STEM_BUCKETS 4096
#define MAX_STEMS 1024
#define MAX_STEM 48

typedef struct {
    Py_ssize_t len;
    long bits;
    int next; /* next stem in the bucket, -1 at the end */
    Py_UCS4 chars[MAX_STEM];
} Stem;

static Stem stems[MAX_STEMS];
static int stem_count = 0;
static int buckets[STEM_BUCKETS];
static Py_UCS4 single_chars[MAX_STEMS];
static long single_bits[MAX_STEMS];
static int single_count = 0;

static inline unsigned
pair_bucket(Py_UCS4 a, Py_UCS4 b)
{
    /* multiplicative hashing: the top 12 bits of the mixed 32-bit value */
    uint32_t h = ((uint32_t)a * 2654435761u + (uint32_t)b) * 2246822519u;
    return (unsigned)(h >> 20) & (STEM_BUCKETS - 1);
}

static PyObject *
set_stems(PyObject *self, PyObject *mapping)
{
    if (!PyDict_Check(mapping)) {
        PyErr_SetString(PyExc_TypeError, "stems must be a dict of str to int");
        return NULL;
    }
    for (int b = 0; b < STEM_BUCKETS; b++)
        buckets[b] = -1;
    stem_count = 0;
    single_count = 0;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(mapping, &pos, &key, &value)) {
        if (!readable_str(key) || !PyLong_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "stems must be a dict of str to int");
            goto fail;
        }
        long bits = PyLong_AsLong(value);
        if (bits == -1 && PyErr_Occurred())
            goto fail;
        Py_ssize_t n = PyUnicode_GET_LENGTH(key);
        int kind = PyUnicode_KIND(key);
        const void *data = PyUnicode_DATA(key);
        if (n == 0 || n > MAX_STEM || stem_count >= MAX_STEMS) {
            PyErr_SetString(PyExc_ValueError, "stem empty, too long or too many");
            goto fail;
        }
        if (n == 1) {
            single_chars[single_count] = PyUnicode_READ(kind, data, 0);
            single_bits[single_count++] = bits;
            continue;
        }
        Stem *st = &stems[stem_count];
        st->len = n;
        st->bits = bits;
        for (Py_ssize_t i = 0; i < n; i++)
            st->chars[i] = PyUnicode_READ(kind, data, i);
        unsigned b = pair_bucket(st->chars[0], st->chars[1]);
        st->next = buckets[b];
        buckets[b] = stem_count++;
    }
    return PyLong_FromLong(stem_count + single_count);
fail:
    for (int b = 0; b < STEM_BUCKETS; b++)
        buckets[b] = -1;
    stem_count = single_count = 0;
    return NULL;
}

SPECIALISE long
line_stem_bits_kind(const int kind, const void *data, Py_ssize_t n)
{
    long bits = 0;
    for (Py_ssize_t p = 0; p < n; p++) {
        Py_UCS4 a = PyUnicode_READ(kind, data, p);
        for (int k = 0; k < single_count; k++)
            if (single_chars[k] == a)
                bits |= single_bits[k];
        if (p + 1 >= n)
            break;
        Py_UCS4 b = PyUnicode_READ(kind, data, p + 1);
        for (int k = buckets[pair_bucket(a, b)]; k >= 0; k = stems[k].next) {
            Stem *st = &stems[k];
            if (p + st->len > n || (st->bits & ~bits) == 0)
                continue;
            Py_ssize_t i = 0;
            while (i < st->len && PyUnicode_READ(kind, data, p + i) == st->chars[i])
                i++;
            if (i == st->len)
                bits |= st->bits;
        }
    }
    return bits;
}

static long
line_stem_bits(PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    const void *data = PyUnicode_DATA(s);
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        return line_stem_bits_kind(PyUnicode_1BYTE_KIND, data, n);
    case PyUnicode_2BYTE_KIND:
        return line_stem_bits_kind(PyUnicode_2BYTE_KIND, data, n);
    default:
        return line_stem_bits_kind(PyUnicode_4BYTE_KIND, data, n);
    }
}

/* One value per line of ``lowers``, as a new list: ``fn(line, ctx)`` returns a
 * new reference, or NULL with an exception set. A line that is no str is a
 * TypeError. The loop stem_flags and plain_flags share. */
typedef PyObject *(*line_fn)(PyObject *line, void *ctx);

static PyObject *
per_line(PyObject *lowers, line_fn fn, void *ctx)
{
    Py_ssize_t n = PyList_GET_SIZE(lowers);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *s = PyList_GET_ITEM(lowers, k);
        if (!readable_str(s)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "lines must be str");
            return NULL;
        }
        PyObject *v = fn(s, ctx);
        if (v == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, v);
    }
    return out;
}

static PyObject *
stem_flags_line(PyObject *s, void *ctx)
{
    Py_ssize_t max_chars = *(Py_ssize_t *)ctx;
    return PyLong_FromLong(PyUnicode_GET_LENGTH(s) <= max_chars ? line_stem_bits(s) : 0);
}

static PyObject *
stem_flags(PyObject *self, PyObject *args)
{
    PyObject *lowers;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &lowers, &max_chars))
        return NULL;
    return per_line(lowers, stem_flags_line, &max_chars);
}

/* May a line be furniture that holds no gate stem (classify._plain_flags_py,
 * the way into classify._lexicon_plain)? Only when it has an ASCII digit,
 * starts with one of ``prefixes``, ends with ``suffix``, or is one of
 * ``words`` once the characters of ``trailing`` are stripped from both ends.
 * Most lines of a page (menus, links) are none of these and skip the Python
 * call. */
static int
plain_line(PyObject *s, PyObject *words, PyObject *trailing, PyObject *prefixes, PyObject *suffix)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= '0' && c <= '9')
            return 1;
    }
    int hit;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(prefixes); k++) {
        hit = (int)PyUnicode_Tailmatch(s, PyTuple_GET_ITEM(prefixes, k), 0, PY_SSIZE_T_MAX, -1);
        if (hit != 0)
            return hit;
    }
    hit = (int)PyUnicode_Tailmatch(s, suffix, 0, PY_SSIZE_T_MAX, 1);
    if (hit != 0)
        return hit;
    Py_ssize_t t = PyUnicode_GET_LENGTH(trailing);
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi && PyUnicode_FindChar(trailing, PyUnicode_READ(kind, data, lo), 0, t, 1) >= 0)
        lo++;
    while (hi > lo && PyUnicode_FindChar(trailing, PyUnicode_READ(kind, data, hi - 1), 0, t, 1) >= 0)
        hi--;
    PyObject *core = PyUnicode_Substring(s, lo, hi);
    if (core == NULL)
        return -1;
    hit = PySet_Contains(words, core);
    Py_DECREF(core);
    return hit;
}

static PyObject *
plain_flags_line(PyObject *s, void *ctx)
{
    PyObject **a = (PyObject **)ctx;  /* words, trailing, prefixes, suffix */
    int hit = plain_line(s, a[0], a[1], a[2], a[3]);
    if (hit < 0)
        return NULL;
    return PyBool_FromLong(hit);
}

static PyObject *
plain_flags(PyObject *self, PyObject *args)
{
    PyObject *lowers, *words, *trailing, *prefixes, *suffix;
    if (!PyArg_ParseTuple(args, "O!OUO!U", &PyList_Type, &lowers, &words, &trailing,
                          &PyTuple_Type, &prefixes, &suffix))
        return NULL;
    if (!PyAnySet_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "words must be a set or frozenset");
        return NULL;
    }
    if (!readable_str(trailing) || !readable_str(suffix)) {
        PyErr_SetString(PyExc_TypeError, "trailing and suffix must be str");
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(prefixes); k++)
        if (!readable_str(PyTuple_GET_ITEM(prefixes, k))) {
            PyErr_SetString(PyExc_TypeError, "prefixes must be a tuple of str");
            return NULL;
        }
    PyObject *ctx[4] = {words, trailing, prefixes, suffix};
    return per_line(lowers, plain_flags_line, ctx);
}

static PyMethodDef methods[] = {
    {"set_stopwords", set_stopwords, METH_O,
     "set_stopwords(words) -> int: the function words word_counts counts (replaces the last set)."},
    {"word_counts", word_counts, METH_VARARGS,
     "word_counts(lines, min_chars) -> (words, stopwords): two lists of counts, one entry a line;\n"
     "lines shorter than min_chars count 0 and 0. Words are re's \\w+ runs."},
    {"lines", lines, METH_O,
     "lines(text) -> (segs, long_lines): every non-empty line as a block, as segment._lines_py."},
    {"set_stems", set_stems, METH_O,
     "set_stems(dict) -> int: the lexicon stems (lower-case str) and their gate bits."},
    {"stem_flags", stem_flags, METH_VARARGS,
     "stem_flags(lowers, max_chars) -> list of int: for each line of at most max_chars\n"
     "characters, the OR of the bits of every stem it contains (0 for longer lines)."},
    {"plain_flags", plain_flags, METH_VARARGS,
     "plain_flags(lowers, words, trailing, prefixes, suffix) -> list of bool: for each line,\n"
     "whether it has an ASCII digit, starts with a prefix, ends with suffix, or is in words\n"
     "once stripped of the characters of trailing."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups",
    "Compiled scans of the cleaner (optional: tui.clean has a Python reference for each).",
    -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    for (int b = 0; b < STEM_BUCKETS; b++)
        buckets[b] = -1;
    str_line = PyUnicode_InternFromString("line");
    str_list_item = PyUnicode_InternFromString("list_item");
    int_zero = PyLong_FromLong(0);
    if (str_line == NULL || str_list_item == NULL || int_zero == NULL)
        return NULL;
    return PyModule_Create(&module);
}
