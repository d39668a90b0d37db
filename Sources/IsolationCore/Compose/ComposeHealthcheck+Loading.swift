/// `healthcheck:`: `test` as a string (run by a shell: `CMD-SHELL`) or a list starting with
/// `CMD`, `CMD-SHELL` or `NONE`; durations as Compose writes them; `disable: true` or
/// `test: [NONE]` turn the image's check off.
extension ComposeHealthcheck {
    static func load(_ node: ComposeNode, _ path: String) throws -> ComposeHealthcheck {
        let fields = try node.fields(path, known: ComposeKeys.healthcheck)
        var check = ComposeHealthcheck(test: [])
        for entry in fields {
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "test":
                if case .scalar(let text, _) = entry.value.value {
                    check.test = ["CMD-SHELL", text]
                } else {
                    check.test = try entry.value.strings(fieldPath)
                    guard let first = check.test.first, ["CMD", "CMD-SHELL", "NONE"].contains(first) else {
                        throw ComposeError.at(entry.value, fieldPath, "a list must start with CMD, CMD-SHELL or NONE")
                    }
                    if first == "NONE" { check.disable = true }
                }
            case "interval": check.intervalSeconds = try entry.value.duration(fieldPath)
            case "timeout": check.timeoutSeconds = try entry.value.duration(fieldPath)
            case "start_period": check.startPeriodSeconds = try entry.value.duration(fieldPath)
            case "retries": check.retries = try entry.value.int(fieldPath)
            case "disable": check.disable = try entry.value.bool(fieldPath) || check.disable
            default: break
            }
        }
        if check.disable {
            check.test = []
        } else if check.test.isEmpty {
            throw ComposeError.at(node, path, "needs 'test' (or 'disable: true')")
        }
        return check
    }
}
