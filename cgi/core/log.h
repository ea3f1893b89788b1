/* log.h — one-line logs to stderr (the web server or the stack script keeps them). */
#ifndef PARLEY_LOG_H
#define PARLEY_LOG_H
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line that is a JSON object already (PARLEY_ACCESS_LOG=json), written as it is. */
void log_json(const char *line);
#define log_info(...)  log_msg("info", __VA_ARGS__)
#define log_warn(...)  log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)
#endif
