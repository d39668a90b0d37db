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
              "description": "the method's reply, as ptest_iso_call answers it",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
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
          }
         }
        }
        """#
}
