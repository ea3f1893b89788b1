/* tus.h — the headers of the tus 1.0 resumable upload protocol (https://tus.io/protocols/
 * resumable-upload): offsets and lengths, and Upload-Metadata, parsed strictly. */
#ifndef PARLEY_TUS_H
#define PARLEY_TUS_H
#include <stddef.h>

#define TUS_VERSION "1.0.0"
enum { TUS_MAX_NAME = 256, TUS_MAX_TYPE = 128 };

/* An Upload-Offset or Upload-Length: 1 to 16 digits, no sign or spaces. 0 or -1. */
int tus_number(const char *s, long long *out);
/* Upload-Metadata: comma-separated "key base64" pairs (the value may be absent). Takes the
 * "filename" (or "name") and "filetype" (or "type") values, decoded, into the buffers ("" when
 * absent). -1 when the header is malformed, a key repeats, a value is not base64, or a
 * decoded value is too long or not UTF-8 without control characters. */
int tus_metadata(const char *s, char name[TUS_MAX_NAME], char type[TUS_MAX_TYPE]);

#endif
