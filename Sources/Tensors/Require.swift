/// Stops the program with `message` when `condition` is false, in every build. `precondition`
/// checks in -O builds too but prints its message only in debug builds, and users run release:
/// a check at an API boundary must say what went wrong there as well.
@inlinable @inline(__always)
public func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition) { requirementFailed(message(), file: file, line: line) }
}

/// Out of line, so the message's construction never bloats a hot caller.
@inline(never) @usableFromInline
func requirementFailed(_ message: String, file: StaticString, line: UInt) -> Never {
    fatalError(message, file: file, line: line)
}
