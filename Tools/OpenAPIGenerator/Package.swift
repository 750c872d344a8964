// swift-tools-version: 6.2
import PackageDescription

/// Builds swift-openapi-generator's CLI for `make openapi` (scripts/openapi-generate.sh).
/// Not part of Otto's package graph: nothing in CI builds it; the code it generates is committed.
let package = Package(
    name: "OpenAPIGenerator",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")
    ]
)
