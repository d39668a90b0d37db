import Foundation
package import Hummingbird
package import IsolationCore
import IsolationProtocol

/// `GET /health` (no token): the server answers, with the core's engines and whether each is
/// available. `GET /openapi.json` (no token): the contract.
package struct HealthRoutes: Sendable {
    let manager: IsolationManager

    package init(manager: IsolationManager) {
        self.manager = manager
    }

    package func add(to router: Router<ServerContext>) {
        router.get("/health") { _, _ in
            let engines = try await Dispatcher.call(manager, method: "engines", request: "{}")
            let body = "{\"status\":\"ok\",\"engines\":\(engines)}"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
