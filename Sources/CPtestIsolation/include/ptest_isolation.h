/*
 * ptest-isolation C ABI — the contract between the Swift core and its
 * foreign callers (the Python package). Only the symbols declared here are
 * exported from libCPtestIsolation.so.
 *
 * Shape: open a manager handle from a JSON config, then make calls that
 * take a method name and a JSON request and give back a JSON response.
 * Every function returns a status: 0 on success, or one of the negative
 * PTEST_ISO_E_* codes, in which case the output string is a JSON error
 * object {"code": "...", "message": "...", "details": {...}}; "code" is
 * the stable name of the error (e.g. "notFound").
 *
 * Strings the library returns through `char **` outputs are allocated by
 * the library and must be released with ptest_iso_free. Calls block the
 * calling thread until done and may come from several threads at once.
 * ptest_iso_version's string is static and must not be freed.
 */
#ifndef PTEST_ISOLATION_H
#define PTEST_ISOLATION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change of a signature. */
#define PTEST_ISO_ABI_VERSION 1
/* Bumped on every incompatible change of the JSON methods, requests or responses. */
#define PTEST_ISO_PROTOCOL_VERSION 1

/* Status codes. */
#define PTEST_ISO_OK 0
#define PTEST_ISO_E_INVALID_ARGUMENT -1      /* NULL pointer, malformed JSON, wrong field type */
#define PTEST_ISO_E_UNKNOWN_METHOD -2
#define PTEST_ISO_E_INVALID_HANDLE -3        /* closed, foreign or NULL handle */
#define PTEST_ISO_E_NOT_FOUND -4
#define PTEST_ISO_E_INVALID_SPEC -5
#define PTEST_ISO_E_ILLEGAL_TRANSITION -6
#define PTEST_ISO_E_CAPACITY_EXCEEDED -7
#define PTEST_ISO_E_ENGINE_UNAVAILABLE -8
#define PTEST_ISO_E_INTERPRETER_NOT_FOUND -9
#define PTEST_ISO_E_INSTALL_FAILED -10
#define PTEST_ISO_E_TIMEOUT -11
#define PTEST_ISO_E_CANCELLED -12
#define PTEST_ISO_E_SNAPSHOT_FAILED -13
#define PTEST_ISO_E_STORAGE_FAILURE -14
#define PTEST_ISO_E_IO_FAILURE -15
#define PTEST_ISO_E_DAEMON_UNAVAILABLE -16
#define PTEST_ISO_E_INTERNAL -17

typedef struct ptest_iso_manager ptest_iso_manager;

/* Receives one event as JSON; the string is valid only during the call.
 * Events are delivered in order on a thread of the library's own (never
 * on the caller's thread), so the callback may call back into the library. */
typedef void (*ptest_iso_event_callback)(const char *event_json, void *context);

/* The ABI version the loaded library implements; compare with PTEST_ISO_ABI_VERSION. */
uint32_t ptest_iso_abi_version(void);

/* The JSON protocol version; compare with PTEST_ISO_PROTOCOL_VERSION. */
uint32_t ptest_iso_protocol_version(void);

/* The library's release version, e.g. "0.1.0". Static storage: do not free. */
const char *ptest_iso_version(void);

/* Opens a manager. config_json may be NULL or "{}" for defaults:
 * {"home": path, "session": id, "max_live_environments": n,
 *  "default_ttl_seconds": s, "template_cache_bytes": n}.
 * On success *out_handle is set; on failure *out_error holds the error JSON. */
int32_t ptest_iso_open(const char *config_json, ptest_iso_manager **out_handle, char **out_error);

/* Closes a manager. Environments stay (their session's cleanup removes them).
 * Closing a closed or foreign handle is PTEST_ISO_E_INVALID_HANDLE. */
int32_t ptest_iso_close(ptest_iso_manager *handle, char **out_error);

/* Calls a method (see docs/c-abi.md). *out_json receives the response JSON
 * on success, the error JSON on failure. The ready-made services' methods
 * (services, service_spec, service_connection) need no manager: for them
 * handle may be NULL. */
int32_t ptest_iso_call(ptest_iso_manager *handle, const char *method, const char *request_json, char **out_json);

/* Kinds of output chunk passed to a ptest_iso_chunk_callback. */
#define PTEST_ISO_STREAM_STDOUT 1
#define PTEST_ISO_STREAM_STDERR 2

/* Receives one chunk of a streamed call's output: `stream` is PTEST_ISO_STREAM_STDOUT
 * or PTEST_ISO_STREAM_STDERR, `data` (not NUL-terminated, valid only during the call)
 * holds `length` > 0 bytes. Return 0 to go on; anything else stops the call: the command
 * is killed with what it started, and ptest_iso_call_streaming returns
 * PTEST_ISO_E_CANCELLED. */
typedef int32_t (*ptest_iso_chunk_callback)(int32_t stream, const uint8_t *data, size_t length, void *context);

/* Calls a streaming method (see docs/c-abi.md: "run_stream" takes run's request and
 * answers {"exit_code", "duration_seconds", "timed_out"}; "follow_logs" takes logs'
 * request and answers {} once the log ends). Each chunk of output goes to `callback`
 * as it comes, on the calling thread, one at a time and in order (each stream in the
 * order written); the output waits while the callback runs. The call returns after
 * the last chunk, with *out_json as in ptest_iso_call. Another thread stops it with the
 * method "cancel" and the "call_id" (a string) given in its request, or with "cancel_all".
 * The callback may make other calls, but not ptest_iso_call_streaming itself. */
int32_t ptest_iso_call_streaming(ptest_iso_manager *handle, const char *method, const char *request_json,
                                 ptest_iso_chunk_callback callback, void *context, char **out_json);

/* Registers (or, with NULL, removes) the event callback of a manager. When it
 * replaces or removes a callback, it returns only after every call of the old
 * one has finished, and the old one is never called again: its context may be
 * freed at once. (Called from inside the callback itself, it does not wait for
 * that call, which is the caller.) ptest_iso_close gives the same guarantee. */
int32_t ptest_iso_set_event_callback(ptest_iso_manager *handle, ptest_iso_event_callback callback, void *context, char **out_error);

/* Releases a string the library returned. NULL is allowed. */
void ptest_iso_free(char *string);

#ifdef __cplusplus
}
#endif

#endif /* PTEST_ISOLATION_H */
