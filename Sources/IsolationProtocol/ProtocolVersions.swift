/// The C ABI's version (`PTEST_ISO_ABI_VERSION`): the symbols and their signatures.
package let abiVersion: UInt32 = 1

/// The JSON protocol version (`PTEST_ISO_PROTOCOL_VERSION`): the methods and their JSON, the
/// same over the C ABI and over `ptest-iso serve`'s `/v1/call/{method}`.
package let protocolVersion: UInt32 = 1
