/// The server's OpenAPI 3 document, served at `/openapi.json`: the contract the tests hold the
/// server to (schemathesis). Kept as one literal so the binary needs no resource files.
enum OpenAPIDocument {
    static let json = #"""
        {
         "openapi": "3.0.3",
         "info": {
          "title": "ptest-iso serve",
          "version": "1"
         },
         "components": {
          "securitySchemes": {
           "bearer": {
            "type": "http",
            "scheme": "bearer"
           }
          },
          "schemas": {
           "Error": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "code",
             "message",
             "details"
            ],
            "properties": {
             "code": {
              "type": "string"
             },
             "message": {
              "type": "string"
             },
             "details": {
              "type": "object",
              "additionalProperties": {
               "type": "string"
              }
             }
            }
           },
           "EnvelopeError": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "success",
             "code",
             "error",
             "message",
             "details",
             "data"
            ],
            "properties": {
             "success": {
              "type": "boolean",
              "enum": [
               false
              ]
             },
             "code": {
              "type": "integer"
             },
             "error": {
              "type": "string"
             },
             "message": {
              "type": "string"
             },
             "details": {
              "type": "object",
              "additionalProperties": {
               "type": "string"
              }
             },
             "data": {
              "type": "object",
              "nullable": true
             }
            }
           },
           "Instance": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "id",
             "status",
             "ip",
             "ttl",
             "owner"
            ],
            "properties": {
             "id": {
              "type": "string"
             },
             "status": {
              "type": "string"
             },
             "ip": {
              "type": "string"
             },
             "ttl": {
              "type": "string"
             },
             "owner": {
              "type": "string"
             }
            }
           },
           "InstanceEnvelope": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "success",
             "code",
             "message",
             "data"
            ],
            "properties": {
             "success": {
              "type": "boolean",
              "enum": [
               true
              ]
             },
             "code": {
              "type": "integer",
              "enum": [
               0
              ]
             },
             "message": {
              "type": "string"
             },
             "data": {
              "$ref": "#/components/schemas/Instance"
             }
            }
           },
           "InstanceListEnvelope": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "success",
             "code",
             "message",
             "data"
            ],
            "properties": {
             "success": {
              "type": "boolean",
              "enum": [
               true
              ]
             },
             "code": {
              "type": "integer",
              "enum": [
               0
              ]
             },
             "message": {
              "type": "string"
             },
             "data": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Instance"
              }
             }
            }
           },
           "DeletedEnvelope": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "success",
             "code",
             "message",
             "data"
            ],
            "properties": {
             "success": {
              "type": "boolean",
              "enum": [
               true
              ]
             },
             "code": {
              "type": "integer",
              "enum": [
               0
              ]
             },
             "message": {
              "type": "string"
             },
             "data": {
              "type": "object",
              "additionalProperties": false,
              "required": [
               "id"
              ],
              "properties": {
               "id": {
                "type": "string"
               }
              }
             }
            }
           },
           "InstanceRequest": {
            "type": "object",
            "additionalProperties": false,
            "description": "an image artifact with deployConfig, or the full spec of any engine under spec (not both)",
            "properties": {
             "name": {
              "type": "string"
             },
             "version": {
              "type": "string"
             },
             "owner": {
              "type": "string"
             },
             "artifacts": {
              "type": "array",
              "minItems": 1,
              "maxItems": 1,
              "items": {
               "type": "object",
               "additionalProperties": false,
               "required": [
                "type",
                "content"
               ],
               "properties": {
                "type": {
                 "type": "string",
                 "enum": [
                  "image"
                 ]
                },
                "content": {
                 "type": "string",
                 "minLength": 1
                }
               }
              }
             },
             "deployConfig": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
               "cpu": {
                "type": "string",
                "description": "CPUs: 1C, 0.5"
               },
               "memory": {
                "type": "string",
                "description": "512Mi, 2Gi, 1G or bytes"
               },
               "ttl": {
                "type": "string",
                "description": "90s, 30m, 1h, 2d"
               },
               "composeFile": {
                "type": "string",
                "description": "not offered (400)"
               }
              }
             },
             "spec": {
              "type": "object",
              "description": "an environment spec, as the protocol's create takes it"
             }
            }
           }
          },
          "responses": {
           "EnvelopeError400": {
            "description": "malformed JSON, an unknown field, a wrong type or value (details.field names it)",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError401": {
            "description": "no bearer token, an unknown or expired one",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError403": {
            "description": "another owner's name, a path on the server's machine, or a quota reached",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError404": {
            "description": "no such environment of this owner",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError405": {
            "description": "another method on this path",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError409": {
            "description": "an illegal transition or the core's capacity",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError413": {
            "description": "the body is over the limit",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError429": {
            "description": "over the owner's request rate (Retry-After)",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError500": {
            "description": "an internal error",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError503": {
            "description": "an engine or the daemon is unavailable",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           },
           "EnvelopeError504": {
            "description": "the operation timed out",
            "content": {
             "application/json": {
              "schema": {
               "$ref": "#/components/schemas/EnvelopeError"
              }
             }
            }
           }
          }
         },
         "paths": {
          "/health": {
           "get": {
            "operationId": "health",
            "security": [],
            "responses": {
             "200": {
              "description": "the server answers",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "additionalProperties": false,
                 "required": [
                  "status",
                  "engines"
                 ],
                 "properties": {
                  "status": {
                   "type": "string",
                   "enum": [
                    "ok"
                   ]
                  },
                  "engines": {
                   "type": "object"
                  }
                 }
                }
               }
              }
             }
            }
           }
          },
          "/openapi.json": {
           "get": {
            "operationId": "openapi",
            "security": [],
            "responses": {
             "200": {
              "description": "this document",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             }
            }
           }
          },
          "/v1/call/{method}": {
           "post": {
            "operationId": "call",
            "security": [
             {
              "bearer": []
             }
            ],
            "parameters": [
             {
              "name": "method",
              "in": "path",
              "required": true,
              "schema": {
               "type": "string",
               "maxLength": 64
              }
             }
            ],
            "requestBody": {
             "required": false,
             "content": {
              "application/json": {
               "schema": {
                "type": "object",
                "description": "the method's request, as ptest_iso_call takes it (docs/c-abi.md)"
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "the method's reply, as ptest_iso_call answers it; run_stream and follow_logs answer NDJSON lines ({stream, data} chunks, then {result} or {error})",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               },
               "application/x-ndjson": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "400": {
              "description": "malformed JSON, an unknown field, a wrong type or value (details.field names it)",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "no bearer token, an unknown or expired one",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "a method not offered over HTTP, or a quota reached",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "an unknown method, or no such environment of this owner",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "409": {
              "description": "an illegal transition or the core's capacity",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "413": {
              "description": "the body is over the limit",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "429": {
              "description": "over the owner's request rate (Retry-After)",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "500": {
              "description": "an internal error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "503": {
              "description": "an engine or the daemon is unavailable",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "504": {
              "description": "the operation timed out",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            }
           }
          },
          "/metrics": {
           "get": {
            "operationId": "metrics",
            "security": [],
            "responses": {
             "200": {
              "description": "Prometheus exposition text",
              "content": {
               "text/plain": {
                "schema": {
                 "type": "string"
                }
               }
              }
             }
            }
           }
          },
          "/env-instance": {
           "post": {
            "operationId": "createInstance",
            "security": [
             {
              "bearer": []
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/InstanceRequest"
               }
              }
             }
            },
            "responses": {
             "200": {
              "description": "the environment, ready",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/InstanceEnvelope"
                }
               }
              }
             },
             "400": {
              "$ref": "#/components/responses/EnvelopeError400"
             },
             "401": {
              "$ref": "#/components/responses/EnvelopeError401"
             },
             "403": {
              "$ref": "#/components/responses/EnvelopeError403"
             },
             "404": {
              "$ref": "#/components/responses/EnvelopeError404"
             },
             "405": {
              "$ref": "#/components/responses/EnvelopeError405"
             },
             "409": {
              "$ref": "#/components/responses/EnvelopeError409"
             },
             "413": {
              "$ref": "#/components/responses/EnvelopeError413"
             },
             "429": {
              "$ref": "#/components/responses/EnvelopeError429"
             },
             "500": {
              "$ref": "#/components/responses/EnvelopeError500"
             },
             "503": {
              "$ref": "#/components/responses/EnvelopeError503"
             },
             "504": {
              "$ref": "#/components/responses/EnvelopeError504"
             }
            }
           },
           "get": {
            "operationId": "listInstances",
            "security": [
             {
              "bearer": []
             }
            ],
            "responses": {
             "200": {
              "description": "the owner's live environments",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/InstanceListEnvelope"
                }
               }
              }
             },
             "400": {
              "$ref": "#/components/responses/EnvelopeError400"
             },
             "401": {
              "$ref": "#/components/responses/EnvelopeError401"
             },
             "403": {
              "$ref": "#/components/responses/EnvelopeError403"
             },
             "404": {
              "$ref": "#/components/responses/EnvelopeError404"
             },
             "405": {
              "$ref": "#/components/responses/EnvelopeError405"
             },
             "409": {
              "$ref": "#/components/responses/EnvelopeError409"
             },
             "413": {
              "$ref": "#/components/responses/EnvelopeError413"
             },
             "429": {
              "$ref": "#/components/responses/EnvelopeError429"
             },
             "500": {
              "$ref": "#/components/responses/EnvelopeError500"
             },
             "503": {
              "$ref": "#/components/responses/EnvelopeError503"
             },
             "504": {
              "$ref": "#/components/responses/EnvelopeError504"
             }
            },
            "parameters": [
             {
              "name": "status",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "Running",
                "Creating",
                "Stopped",
                "Paused",
                "Failed",
                "Lost",
                "Destroying",
                "Destroyed"
               ]
              }
             },
             {
              "name": "engine",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "virtualenv",
                "docker",
                "swarm"
               ]
              }
             },
             {
              "name": "name",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "minLength": 1,
               "maxLength": 128
              }
             },
             {
              "name": "label",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "pattern": "^[^=]+=.+$",
               "maxLength": 256
              }
             }
            ]
           }
          },
          "/env-instance/{id}": {
           "get": {
            "operationId": "getInstance",
            "security": [
             {
              "bearer": []
             }
            ],
            "parameters": [
             {
              "name": "id",
              "in": "path",
              "required": true,
              "schema": {
               "type": "string",
               "maxLength": 256
              }
             }
            ],
            "responses": {
             "200": {
              "description": "the environment",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/InstanceEnvelope"
                }
               }
              }
             },
             "400": {
              "$ref": "#/components/responses/EnvelopeError400"
             },
             "401": {
              "$ref": "#/components/responses/EnvelopeError401"
             },
             "403": {
              "$ref": "#/components/responses/EnvelopeError403"
             },
             "404": {
              "$ref": "#/components/responses/EnvelopeError404"
             },
             "405": {
              "$ref": "#/components/responses/EnvelopeError405"
             },
             "409": {
              "$ref": "#/components/responses/EnvelopeError409"
             },
             "413": {
              "$ref": "#/components/responses/EnvelopeError413"
             },
             "429": {
              "$ref": "#/components/responses/EnvelopeError429"
             },
             "500": {
              "$ref": "#/components/responses/EnvelopeError500"
             },
             "503": {
              "$ref": "#/components/responses/EnvelopeError503"
             },
             "504": {
              "$ref": "#/components/responses/EnvelopeError504"
             }
            }
           },
           "delete": {
            "operationId": "deleteInstance",
            "security": [
             {
              "bearer": []
             }
            ],
            "parameters": [
             {
              "name": "id",
              "in": "path",
              "required": true,
              "schema": {
               "type": "string",
               "maxLength": 256
              }
             }
            ],
            "responses": {
             "200": {
              "description": "destroyed",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/DeletedEnvelope"
                }
               }
              }
             },
             "400": {
              "$ref": "#/components/responses/EnvelopeError400"
             },
             "401": {
              "$ref": "#/components/responses/EnvelopeError401"
             },
             "403": {
              "$ref": "#/components/responses/EnvelopeError403"
             },
             "404": {
              "$ref": "#/components/responses/EnvelopeError404"
             },
             "405": {
              "$ref": "#/components/responses/EnvelopeError405"
             },
             "409": {
              "$ref": "#/components/responses/EnvelopeError409"
             },
             "413": {
              "$ref": "#/components/responses/EnvelopeError413"
             },
             "429": {
              "$ref": "#/components/responses/EnvelopeError429"
             },
             "500": {
              "$ref": "#/components/responses/EnvelopeError500"
             },
             "503": {
              "$ref": "#/components/responses/EnvelopeError503"
             },
             "504": {
              "$ref": "#/components/responses/EnvelopeError504"
             }
            }
           }
          }
         }
        }
        """#
}
