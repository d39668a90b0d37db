/*
 * ptest-isolation C ABI — the contract between the Swift core and its
 * foreign callers (the Python package). Only the symbols declared here are
 * exported from libCPtestIsolation.so.
 *
 * Strings returned by the library are owned by the library unless a
 * function's comment says the caller frees them.
 */
#ifndef PTEST_ISOLATION_H
#define PTEST_ISOLATION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change of a signature or of the JSON protocol. */
#define PTEST_ISO_ABI_VERSION 1

/* The ABI version the loaded library implements; compare with PTEST_ISO_ABI_VERSION. */
uint32_t ptest_iso_abi_version(void);

/* The library's release version, e.g. "0.1.0". Static storage: do not free. */
const char *ptest_iso_version(void);

#ifdef __cplusplus
}
#endif

#endif /* PTEST_ISOLATION_H */
