/* Injected write failures, for the full-disk test: a library preloaded (LD_PRELOAD) into a host
 * process that makes writes under one folder fail as a full or failing disk makes them fail.
 *
 *   FT_FULL_DISK_DIR=<folder>        only files and folders under it are affected
 *   FT_FULL_DISK_AFTER=<name>:<n>    the n-th time a file called <name> is opened for writing
 *                                    (its temporary "<name>.tmp..." counts as it), the first
 *                                    write to it fails
 *   FT_FULL_DISK_ERRNO=ENOSPC|EIO    ENOSPC: the disk stays full, every later write and mkdir
 *                                    under the folder fails too; EIO: that one write fails
 *
 * It wraps open and fopen (to count), write (appended logs), fwrite (atomically written files)
 * and mkdir (checkpoint and model folders): the calls through which the plugin writes. The
 * failing call writes nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int configured = -1; /* -1: environment not read yet */
static char folder[4096], name[256];
static long nth;
static int error_number;
static long opened; /* times `name` was opened for writing */
static int doomed_fd = -1; /* the descriptor whose next write fails */
static int full;    /* ENOSPC reached: everything under the folder fails from now on */

static void configure(void) {
  const char *dir = getenv("FT_FULL_DISK_DIR"), *after = getenv("FT_FULL_DISK_AFTER"), *err = getenv("FT_FULL_DISK_ERRNO");
  const char *colon = after ? strrchr(after, ':') : NULL;
  configured = dir && colon && err && (size_t)(colon - after) < sizeof name && strlen(dir) < sizeof folder;
  if (!configured) return;
  snprintf(folder, sizeof folder, "%s", dir);
  memcpy(name, after, (size_t)(colon - after));
  name[colon - after] = '\0';
  nth = atol(colon + 1);
  error_number = strcmp(err, "EIO") == 0 ? EIO : ENOSPC;
}

static int under_folder(const char *path) {
  if (configured < 0) configure();
  const size_t n = strlen(folder);
  return configured && strncmp(path, folder, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Whether `path` is the file `name`, or a temporary of it ("<name>.tmp<pid>.<k>"). */
static int is_named_file(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const size_t n = strlen(name);
  return strncmp(base, name, n) == 0 && (base[n] == '\0' || strncmp(base + n, ".tmp", 4) == 0);
}

/* Counts an opening for writing of `path` as `fd`; the n-th of the named file is doomed. */
static void opened_for_writing(const char *path, int fd) {
  if (fd < 0 || !under_folder(path) || !is_named_file(path)) return;
  if (__atomic_add_fetch(&opened, 1, __ATOMIC_SEQ_CST) == nth) doomed_fd = fd;
}

/* Whether a write to `fd` fails. */
static int fails(int fd) {
  if (full) {
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    return under_folder(path);
  }
  if (fd != doomed_fd) return 0;
  doomed_fd = -1;
  if (error_number == ENOSPC) full = 1;
  return 1;
}

int open(const char *path, int flags, ...) {
  static int (*real)(const char *, int, ...);
  if (!real) real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
  va_list arguments;
  va_start(arguments, flags);
  const mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(arguments, int) : 0;
  va_end(arguments);
  const int fd = real(path, flags, mode);
  if (flags & (O_WRONLY | O_RDWR)) opened_for_writing(path, fd);
  return fd;
}

FILE *fopen(const char *path, const char *mode) {
  static FILE *(*real)(const char *, const char *);
  if (!real) real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
  FILE *file = real(path, mode);
  if (file && (strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+'))) opened_for_writing(path, fileno(file));
  return file;
}

ssize_t write(int fd, const void *data, size_t size) {
  static ssize_t (*real)(int, const void *, size_t);
  if (!real) real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  if (fd > 2 && fails(fd)) {
    errno = error_number;
    return -1;
  }
  return real(fd, data, size);
}

size_t fwrite(const void *data, size_t size, size_t count, FILE *file) {
  static size_t (*real)(const void *, size_t, size_t, FILE *);
  if (!real) real = (size_t(*)(const void *, size_t, size_t, FILE *))dlsym(RTLD_NEXT, "fwrite");
  if (size * count > 0 && fails(fileno(file))) {
    errno = error_number;
    return 0;
  }
  return real(data, size, count, file);
}

int mkdir(const char *path, mode_t mode) {
  static int (*real)(const char *, mode_t);
  if (!real) real = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
  if (full && under_folder(path)) {
    errno = error_number;
    return -1;
  }
  return real(path, mode);
}
