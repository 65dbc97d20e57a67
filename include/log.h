/*
 * One line per event on standard error, with a UTC timestamp and a level.
 * Messages follow PostgreSQL's style: lower case, no full stop.  Never log
 * resident details.
 */
#ifndef LOG_H
#define LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
