// rotor's UDP sockets, batched: recvmmsg into a preallocated ring, one call
// into JavaScript per batch, the answers sent back with one sendmmsg. Node's
// dgram makes a system call and a trip into JavaScript per datagram, which is
// most of the cost of an answer the memo already holds (docs/decisions.md).
//
// The JavaScript side (src/net/native-udp.ts) sees plain memory: the received
// datagrams (SLOT bytes each), their lengths, a META_STRIDE-byte record per
// datagram (source, the local address it was sent to, port, the source as
// text), and an arena where it writes the answers, described by TX entries.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 64
// The largest UDP payload: a datagram is never cut short.
#define SLOT 65536
#define META_STRIDE 96
#define TX_ENTRY_INTS 3
#define TX_BYTES (1 << 20)
// Batches read per wake-up before timers and other sockets get their turn.
#define BATCHES_PER_WAKE 8
#define CONTROL_BYTES 64

// Offsets inside a datagram's meta record.
enum { M_SOURCE = 0, M_LOCAL = 16, M_IFINDEX = 32, M_PORT = 36, M_FAMILY = 38, M_TEXT_LEN = 39, M_HAS_LOCAL = 40, M_TEXT = 48 };

typedef struct {
  napi_env env;
  int fd;
  int family;
  int wildcard;
  int closed;
  int poll_live;
  int finalized;
  uv_poll_t poll;
  napi_ref self;
  napi_ref callback;
  napi_async_context async;
  uint8_t *rx;
  int32_t *rx_len;
  uint8_t *meta;
  uint8_t *tx;
  int32_t *tx_entries;
  struct mmsghdr in[BATCH];
  struct iovec in_iov[BATCH];
  struct sockaddr_storage from[BATCH];
  uint8_t in_control[BATCH][CONTROL_BYTES];
  struct mmsghdr out[BATCH];
  struct sockaddr_storage out_to[BATCH];
  struct iovec out_iov[BATCH];
  uint8_t out_control[BATCH][CONTROL_BYTES];
  int last_errno;
} Socket;

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

static napi_value throw_errno(napi_env env, const char *syscall, int err, const char *host, int port) {
  char code[32], message[160];
  const char *name = uv_err_name(-err);
  snprintf(code, sizeof code, "%s", name);
  if (host) snprintf(message, sizeof message, "%s %s %s:%d", syscall, name, host, port);
  else snprintf(message, sizeof message, "%s %s", syscall, name);
  napi_value c, m, e;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &e);
  napi_value errno_value, syscall_value;
  napi_create_int32(env, -err, &errno_value);
  napi_set_named_property(env, e, "errno", errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, e, "syscall", syscall_value);
  napi_throw(env, e);
  return NULL;
}

static Socket *unwrap(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_unwrap(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "not a native UDP socket");
    return NULL;
  }
  return (Socket *)p;
}

static void freed(uv_handle_t *h) {
  Socket *s = (Socket *)h->data;
  s->poll_live = 0;
  if (s->finalized) free(s);
}

static void stop(Socket *s) {
  if (s->closed) return;
  s->closed = 1;
  if (s->poll_live) {
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, freed);
  }
  close(s->fd);
  s->fd = -1;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  Socket *s = (Socket *)data;
  stop(s);
  s->finalized = 1;
  if (!s->poll_live) free(s);
}

// The local address of a datagram, from IP_PKTINFO or IPV6_PKTINFO.
static int local_address(struct msghdr *h, uint8_t *m) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo info;
      memcpy(&info, CMSG_DATA(c), sizeof info);
      memcpy(m + M_LOCAL, &info.ipi_addr, 4);
      memcpy(m + M_IFINDEX, &info.ipi_ifindex, 4);
      return 1;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo info;
      memcpy(&info, CMSG_DATA(c), sizeof info);
      memcpy(m + M_LOCAL, &info.ipi6_addr, 16);
      memcpy(m + M_IFINDEX, &info.ipi6_ifindex, 4);
      return 1;
    }
  }
  return 0;
}

static void describe(const struct sockaddr_storage *from, uint8_t *m) {
  uint16_t port;
  char *text = (char *)m + M_TEXT;
  if (from->ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
    memcpy(m + M_SOURCE, &a->sin6_addr, 16);
    port = ntohs(a->sin6_port);
    m[M_FAMILY] = 6;
    inet_ntop(AF_INET6, &a->sin6_addr, text, META_STRIDE - M_TEXT);
  } else {
    const struct sockaddr_in *a = (const struct sockaddr_in *)from;
    memcpy(m + M_SOURCE, &a->sin_addr, 4);
    port = ntohs(a->sin_port);
    m[M_FAMILY] = 4;
    inet_ntop(AF_INET, &a->sin_addr, text, META_STRIDE - M_TEXT);
  }
  m[M_PORT] = port & 0xff;
  m[M_PORT + 1] = port >> 8;
  m[M_TEXT_LEN] = (uint8_t)strlen(text);
}

// The destination and the source address of one answer, from a meta record.
static socklen_t address_answer(Socket *s, const uint8_t *m, struct sockaddr_storage *to, struct msghdr *h, uint8_t *control) {
  uint16_t port = m[M_PORT] | (m[M_PORT + 1] << 8);
  socklen_t len;
  memset(to, 0, sizeof *to);
  if (m[M_FAMILY] == 6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    memcpy(&a->sin6_addr, m + M_SOURCE, 16);
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)to;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    memcpy(&a->sin_addr, m + M_SOURCE, 4);
    len = sizeof *a;
  }
  h->msg_name = to;
  h->msg_namelen = len;
  h->msg_control = NULL;
  h->msg_controllen = 0;
  // Bound to a wildcard address, the answer leaves from the address that was asked.
  if (s->wildcard && m[M_HAS_LOCAL]) {
    h->msg_control = control;
    memset(control, 0, CONTROL_BYTES);
    struct cmsghdr *c;
    h->msg_controllen = s->family == 6 ? CMSG_SPACE(sizeof(struct in6_pktinfo)) : CMSG_SPACE(sizeof(struct in_pktinfo));
    c = CMSG_FIRSTHDR(h);
    if (s->family == 6) {
      struct in6_pktinfo info;
      memset(&info, 0, sizeof info);
      memcpy(&info.ipi6_addr, m + M_LOCAL, 16);
      memcpy(&info.ipi6_ifindex, m + M_IFINDEX, 4);
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof info);
      memcpy(CMSG_DATA(c), &info, sizeof info);
    } else {
      struct in_pktinfo info;
      memset(&info, 0, sizeof info);
      memcpy(&info.ipi_spec_dst, m + M_LOCAL, 4);
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof info);
      memcpy(CMSG_DATA(c), &info, sizeof info);
    }
  }
  return len;
}

// Sends the first `count` answers of the arena, one sendmmsg for all (a
// failed datagram is skipped and counted). Returns how many failed.
static int flush(Socket *s, int count) {
  int failed = 0;
  if (count > BATCH) count = BATCH;
  for (int i = 0; i < count; i++) {
    int32_t *e = s->tx_entries + i * TX_ENTRY_INTS;
    struct msghdr *h = &s->out[i].msg_hdr;
    memset(h, 0, sizeof *h);
    // An entry outside the shared memory is a bug on the JavaScript side, never a write past it.
    if (e[0] < 0 || e[0] >= BATCH || e[1] < 0 || e[2] < 0 || e[2] > TX_BYTES - e[1]) e[0] = e[1] = e[2] = 0;
    s->out_iov[i].iov_base = s->tx + e[1];
    s->out_iov[i].iov_len = (size_t)e[2];
    h->msg_iov = &s->out_iov[i];
    h->msg_iovlen = 1;
    address_answer(s, s->meta + (size_t)e[0] * META_STRIDE, &s->out_to[i], h, s->out_control[i]);
  }
  for (int sent = 0; sent < count;) {
    int r = sendmmsg(s->fd, s->out + sent, (unsigned)(count - sent), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      s->last_errno = errno;
      failed++;
      sent++;
    } else {
      sent += r;
    }
  }
  return failed;
}

static void readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  Socket *s = (Socket *)poll->data;
  if (status < 0 || s->closed) return;
  napi_env env = s->env;
  for (int round = 0; round < BATCHES_PER_WAKE && !s->closed; round++) {
    for (int i = 0; i < BATCH; i++) {
      struct msghdr *h = &s->in[i].msg_hdr;
      h->msg_name = &s->from[i];
      h->msg_namelen = sizeof s->from[i];
      h->msg_iov = &s->in_iov[i];
      h->msg_iovlen = 1;
      h->msg_control = s->in_control[i];
      h->msg_controllen = CONTROL_BYTES;
      h->msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->in, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      uint8_t *m = s->meta + (size_t)i * META_STRIDE;
      s->rx_len[i] = (int32_t)s->in[i].msg_len;
      describe(&s->from[i], m);
      m[M_HAS_LOCAL] = (uint8_t)local_address(&s->in[i].msg_hdr, m);
    }
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value cb, recv, arg, result;
    napi_get_reference_value(env, s->callback, &cb);
    napi_get_global(env, &recv);
    napi_create_int32(env, n, &arg);
    // make_callback: promise reactions and process.nextTick run after the batch, as after any I/O.
    if (napi_make_callback(env, s->async, recv, cb, 1, &arg, &result) != napi_ok) {
      napi_value e;
      napi_get_and_clear_last_exception(env, &e);
      napi_fatal_exception(env, e);
    }
    napi_close_handle_scope(env, scope);
    if (n < BATCH) return;
  }
}

static int parse_address(int family, const char *host, int port, struct sockaddr_storage *addr, socklen_t *len, int *wildcard) {
  memset(addr, 0, sizeof *addr);
  if (family == 6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return -1;
    *wildcard = IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
    *len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)addr;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
    *wildcard = a->sin_addr.s_addr == htonl(INADDR_ANY);
    *len = sizeof *a;
  }
  return 0;
}

static napi_value shared(napi_env env, napi_value target, const char *name, size_t bytes, void **data) {
  napi_value buffer;
  CHECK(napi_create_arraybuffer(env, bytes, data, &buffer));
  CHECK(napi_set_named_property(env, target, name, buffer));
  return buffer;
}

static void free_ring(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  free(data);
}

// The receive ring: 4 MiB that V8 would fill with zeros, and so make resident,
// where calloc maps pages that stay untouched until a datagram that long comes.
static napi_value ring(napi_env env, napi_value target, size_t bytes, void **data) {
  napi_value buffer;
  void *p = calloc(1, bytes);
  if (p && napi_create_external_arraybuffer(env, p, bytes, free_ring, NULL, &buffer) == napi_ok) {
    *data = p;
    CHECK(napi_set_named_property(env, target, "rx", buffer));
    return buffer;
  }
  // A Node built with V8's sandbox takes no outside memory.
  free(p);
  return shared(env, target, "rx", bytes, data);
}

// bind(family, host, port, receiveBuffer, reusePort, uid, gid) → a socket object holding the shared memory.
static napi_value bind_socket(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family, port, rcvbuf;
  bool reuse;
  char host[64];
  size_t host_len;
  CHECK(napi_get_value_int32(env, argv[0], &family));
  CHECK(napi_get_value_string_utf8(env, argv[1], host, sizeof host, &host_len));
  CHECK(napi_get_value_int32(env, argv[2], &port));
  CHECK(napi_get_value_int32(env, argv[3], &rcvbuf));
  CHECK(napi_get_value_bool(env, argv[4], &reuse));
  int32_t uid, gid;
  CHECK(napi_get_value_int32(env, argv[5], &uid));
  CHECK(napi_get_value_int32(env, argv[6], &gid));

  struct sockaddr_storage addr;
  socklen_t len;
  int wildcard;
  if (parse_address(family, host, port, &addr, &len, &wildcard) < 0) {
    napi_throw_type_error(env, NULL, "not an IP address");
    return NULL;
  }
  int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno, NULL, 0);
  int on = 1;
  // As dgram: an IPv6 wildcard also takes IPv4 (IPV6_V6ONLY stays off).
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) < 0) goto failed_setsockopt;
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) goto failed_setsockopt;
  if (family == 6) {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) < 0) goto failed_setsockopt;
  } else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) < 0) {
    goto failed_setsockopt;
  }
  // SO_REUSEPORT joins only sockets of one owner: a worker bound as root, and
  // its replacement started after the drop to user:, must both be the user's.
  if (uid >= 0 && fchown(fd, (uid_t)uid, (gid_t)gid) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "fchown", err, NULL, 0);
  }
  if (bind(fd, (struct sockaddr *)&addr, len) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind", err, host, port);
  }

  Socket *s = calloc(1, sizeof *s);
  if (!s) {
    close(fd);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  s->env = env;
  s->fd = fd;
  s->family = family;
  s->wildcard = wildcard;
  napi_value object;
  CHECK(napi_create_object(env, &object));
  if (napi_wrap(env, object, s, finalize, NULL, NULL) != napi_ok) {
    close(fd);
    free(s);
    return NULL;
  }
  void *p;
  if (!ring(env, object, (size_t)BATCH * SLOT, &p)) return NULL;
  s->rx = p;
  if (!shared(env, object, "rxLength", BATCH * sizeof(int32_t), &p)) return NULL;
  s->rx_len = p;
  if (!shared(env, object, "meta", (size_t)BATCH * META_STRIDE, &p)) return NULL;
  s->meta = p;
  if (!shared(env, object, "tx", TX_BYTES, &p)) return NULL;
  s->tx = p;
  if (!shared(env, object, "txEntries", BATCH * TX_ENTRY_INTS * sizeof(int32_t), &p)) return NULL;
  s->tx_entries = p;
  for (int i = 0; i < BATCH; i++) {
    s->in_iov[i].iov_base = s->rx + (size_t)i * SLOT;
    s->in_iov[i].iov_len = SLOT;
  }
  return object;

failed_setsockopt: {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt", err, NULL, 0);
  }
}

// start(socket, onBatch): onBatch(count) is called once per batch read.
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  if (s->closed || s->poll_live) {
    napi_throw_error(env, NULL, "socket closed or already started");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  CHECK(napi_create_reference(env, argv[1], 1, &s->callback));
  CHECK(napi_create_reference(env, argv[0], 1, &s->self));
  CHECK(napi_create_string_utf8(env, "rotor:udp", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, NULL, name, &s->async));
  int r = uv_poll_init(loop, &s->poll, s->fd);
  if (r < 0) return throw_errno(env, "uv_poll_init", -r, NULL, 0);
  s->poll.data = s;
  s->poll_live = 1;
  r = uv_poll_start(&s->poll, UV_READABLE, readable);
  if (r < 0) return throw_errno(env, "uv_poll_start", -r, NULL, 0);
  return NULL;
}

// flush(socket, count) → the number of answers that could not be sent.
static napi_value flush_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  int32_t count;
  CHECK(napi_get_value_int32(env, argv[1], &count));
  int failed = s->closed ? count : flush(s, count);
  if (s->closed && count > 0) s->last_errno = EBADF;
  CHECK(napi_create_int32(env, failed, &result));
  return result;
}

// sendTo(socket, message, meta): one answer that came later, to the client a saved meta record names.
static napi_value send_to(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  void *data, *meta;
  size_t length, meta_length;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &length));
  CHECK(napi_get_buffer_info(env, argv[2], &meta, &meta_length));
  if (meta_length < META_STRIDE) {
    napi_throw_range_error(env, NULL, "short meta record");
    return NULL;
  }
  int ok = 0;
  if (s->closed) {
    s->last_errno = EBADF;
  } else {
    struct sockaddr_storage to;
    struct msghdr h;
    struct iovec iov = { data, length };
    uint8_t control[CONTROL_BYTES];
    memset(&h, 0, sizeof h);
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    address_answer(s, meta, &to, &h, control);
    ssize_t r;
    do r = sendmsg(s->fd, &h, 0); while (r < 0 && errno == EINTR);
    if (r < 0) s->last_errno = errno;
    else ok = 1;
  }
  CHECK(napi_get_boolean(env, ok, &result));
  return result;
}

// lastError(socket) → the code of the last failed send (EAGAIN, EHOSTUNREACH...).
static napi_value last_error(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_create_string_utf8(env, s->last_errno ? uv_err_name(-s->last_errno) : "", NAPI_AUTO_LENGTH, &result));
  return result;
}

// port(socket) → the bound port; receiveBuffer(socket) → SO_RCVBUF as the kernel reports it.
static napi_value local_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (getsockname(s->fd, (struct sockaddr *)&addr, &len) < 0) return throw_errno(env, "getsockname", errno, NULL, 0);
  int port = addr.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&addr)->sin6_port) : ntohs(((struct sockaddr_in *)&addr)->sin_port);
  CHECK(napi_create_int32(env, port, &result));
  return result;
}

static napi_value receive_buffer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  int size = 0;
  socklen_t len = sizeof size;
  if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &size, &len) < 0) return throw_errno(env, "getsockopt", errno, NULL, 0);
  CHECK(napi_create_int32(env, size, &result));
  return result;
}

static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Socket *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  int started = s->poll_live;
  stop(s);
  if (started) {
    napi_delete_reference(env, s->callback);
    napi_delete_reference(env, s->self);
    napi_async_destroy(env, s->async);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    { "bind", NULL, bind_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "start", NULL, start, NULL, NULL, NULL, napi_enumerable, NULL },
    { "flush", NULL, flush_js, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendTo", NULL, send_to, NULL, NULL, NULL, napi_enumerable, NULL },
    { "lastError", NULL, last_error, NULL, NULL, NULL, napi_enumerable, NULL },
    { "port", NULL, local_port, NULL, NULL, NULL, napi_enumerable, NULL },
    { "receiveBuffer", NULL, receive_buffer, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns));
  const char *names[] = { "BATCH", "SLOT", "META_STRIDE", "TX_BYTES", "TX_ENTRY_INTS" };
  const int values[] = { BATCH, SLOT, META_STRIDE, TX_BYTES, TX_ENTRY_INTS };
  for (int i = 0; i < 5; i++) {
    napi_value v;
    CHECK(napi_create_int32(env, values[i], &v));
    CHECK(napi_set_named_property(env, exports, names[i], v));
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
