/// The keys the loader reads at each level, and the Compose keys it knows but does not support,
/// so an unsupported key is told apart from a typo.
enum ComposeKeys {
    static let topLevel = ["name", "version", "services", "networks", "volumes"]
    static let service = [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "volumes", "networks",
        "depends_on", "healthcheck", "labels", "working_dir", "user", "hostname", "extra_hosts", "tmpfs", "cap_add",
        "cap_drop", "privileged", "read_only", "init", "stop_signal", "stop_grace_period", "restart", "mem_limit", "cpus",
        "shm_size", "scale", "deploy", "profiles",
    ]
    static let build = ["context", "dockerfile", "args", "target"]
    static let port = ["target", "published", "host_ip", "protocol", "mode"]
    static let serviceVolume = ["type", "source", "target", "read_only", "tmpfs"]
    static let tmpfsOptions = ["size"]
    static let serviceNetwork = ["aliases"]
    static let dependency = ["condition", "required"]
    static let healthcheck = ["test", "interval", "timeout", "start_period", "retries", "disable"]
    static let deploy = ["replicas", "resources"]
    static let resources = ["limits"]
    static let limits = ["cpus", "memory"]
    static let network = ["external", "name", "internal", "labels", "driver"]
    static let volume = ["external", "name", "labels", "driver"]

    /// Compose Specification keys a real file may hold that ptest-iso does not implement.
    static let unsupported: Set<String> = [
        "secrets", "configs", "include", "container_name", "network_mode", "links", "external_links", "expose", "logging",
        "dns", "dns_search", "dns_opt", "devices", "ulimits", "sysctls", "pid", "ipc", "platform", "pull_policy", "tty",
        "stdin_open", "security_opt", "domainname", "mac_address", "env", "extends", "volumes_from", "cgroup_parent",
        "isolation", "userns_mode", "oom_score_adj", "mem_reservation", "memswap_limit", "cpu_shares", "cpuset",
        "blkio_config", "device_cgroup_rules", "group_add", "runtime", "storage_opt", "annotations", "attach", "develop",
        "post_start", "pre_stop", "driver_opts", "ipam", "attachable", "enable_ipv6", "ipv4_address", "ipv6_address",
        "link_local_ips", "priority", "cache_from", "cache_to", "network", "shm_size", "ssh",
        "platforms", "additional_contexts", "no_cache", "pull", "tags", "start_interval", "reservations", "placement",
        "update_config", "rollback_config", "restart_policy", "endpoint_mode", "mode", "nocopy", "create_host_path",
        "propagation", "bind", "volume", "consistency", "restart",
    ]

    static func unknownProblem(_ key: String, known: [String]) -> String {
        // A one-letter slip from a key of this level is a typo even when it spells a key of another.
        let typo = known.contains { EditDistance.distance(key, $0) <= 1 }
        if unsupported.contains(key) && !typo {
            return "'\(key)' is a Compose key that ptest-iso does not support here (supported: \(known.joined(separator: ", ")))"
        }
        return "unknown key '\(ComposePath.excerpt(key))'\(ComposeError.hint(key, among: known))"
    }
}
