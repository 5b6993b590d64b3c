import Foundation

/// The files the server hands out as they are in the repository, compiled into the binary
/// (`resources: [.embedInCode(…)]` in Package.swift), so a copied `sample` executable still serves them.
enum EmbeddedFiles {
    static var openAPI: [UInt8] { PackageResources.openapi_yaml }
    static var page: [UInt8] { PackageResources.index_html }
    static var script: [UInt8] { PackageResources.page_js }
    static var style: [UInt8] { PackageResources.page_css }
}
