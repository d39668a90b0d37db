/// A ready-made service as `ptest-iso services --json` and the C ABI's `services` list it:
/// its options with their kinds, and their defaults as the options' JSON writes them (an
/// option left out of `defaults` has none: it is not set unless given).
public struct ServiceListing: Sendable, Encodable {
    public var name: ReadyMadeService
    public var containerPort: Int
    public var options: [ServiceOption]
    public var defaults: any ServiceOptions

    public init(_ service: ReadyMadeService) {
        name = service
        defaults = service.defaults
        containerPort = defaults.containerPort
        options = service.catalogue
    }

    enum CodingKeys: String, CodingKey {
        case name, containerPort, options, defaults
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(containerPort, forKey: .containerPort)
        try c.encode(options, forKey: .options)
        try c.encode(defaults, forKey: .defaults)
    }

    /// Every service, in the catalogue's order.
    public static var all: [ServiceListing] { ReadyMadeService.allCases.map(ServiceListing.init) }
}
