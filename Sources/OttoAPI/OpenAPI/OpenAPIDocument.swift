/// The OpenAPI 3.1 document of the public HTTP API, embedded so the static binary needs no
/// resource bundle. `docs/openapi.json` is the same text (a test keeps them identical).
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Otto API",
            "version": "1.0.0",
            "description": "Otto's public HTTP API: health, readiness, provider webhooks and the Clerk-authenticated tenant API. Every response carries X-Request-ID; errors are application/problem+json (RFC 9457). Operations marked x-internal answer loopback callers or `Authorization: Bearer $INTERNAL_API_TOKEN` only."
          },
          "servers": [
            {
              "url": "https://otto.fly.dev",
              "description": "PUBLIC_BASE_URL of a deployment"
            }
          ],
          "paths": {
            "/health": {
              "get": {
                "operationId": "health",
                "summary": "Liveness: touches no dependency.",
                "tags": [
                  "operations"
                ],
                "responses": {
                  "200": {
                    "description": "Alive.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Health"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "status": "healthy",
                              "timestamp": 1769860800,
                              "service": "otto-api"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/ready": {
              "get": {
                "operationId": "ready",
                "summary": "Readiness of every configured dependency, within about one second.",
                "tags": [
                  "operations"
                ],
                "responses": {
                  "200": {
                    "description": "Every listed component is ready.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Readiness"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "ready": true,
                              "components": {
                                "database": true,
                                "redis": true,
                                "celery_workers": true
                              },
                              "timestamp": 1769860800,
                              "duration_ms": 3.2,
                              "service": "otto-api"
                            }
                          }
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "At least one component is not ready.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Readiness"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "ready": false,
                              "components": {
                                "database": true,
                                "redis": false
                              },
                              "timestamp": 1769860800,
                              "duration_ms": 1001.4,
                              "service": "otto-api"
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
                "summary": "This document.",
                "tags": [
                  "operations"
                ],
                "responses": {
                  "200": {
                    "description": "The OpenAPI 3.1 document.",
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
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "summary": "Prometheus metrics of this API and the worker fleet.",
                "tags": [
                  "internal"
                ],
                "x-internal": true,
                "security": [
                  {},
                  {
                    "internalToken": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Prometheus text exposition format.",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "Forbidden",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "Forbidden",
                              "status": 403,
                              "detail": "This route is internal.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/internal/worker/heartbeat": {
              "get": {
                "operationId": "workerHeartbeat",
                "summary": "Live workers and queue depths.",
                "tags": [
                  "internal"
                ],
                "x-internal": true,
                "security": [
                  {},
                  {
                    "internalToken": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "At least one worker is alive.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Fleet"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "workers": [
                                {
                                  "id": "worker-1",
                                  "host": "machine-1",
                                  "pid": 42,
                                  "queues": [
                                    "critical",
                                    "default",
                                    "low"
                                  ],
                                  "concurrency": 4,
                                  "in_flight": 1,
                                  "processed": 120,
                                  "failed": 0,
                                  "age_s": 2.1
                                }
                              ],
                              "queues": {
                                "default": {
                                  "waiting": 0,
                                  "pending": 1,
                                  "delayed": 0,
                                  "dead": 0
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "No worker is alive.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Fleet"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "workers": [],
                              "queues": {
                                "default": {
                                  "waiting": 3,
                                  "pending": 0,
                                  "delayed": 0,
                                  "dead": 0
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "Forbidden",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "Forbidden",
                              "status": 403,
                              "detail": "This route is internal.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/webhooks/twilio/{tenant}": {
              "post": {
                "operationId": "twilioWebhook",
                "summary": "Twilio voice status and recording callbacks.",
                "description": "Verified with X-Twilio-Signature: base64 HMAC-SHA1 under TWILIO_AUTH_TOKEN of PUBLIC_BASE_URL + path + query followed by the POST parameters sorted by name (name + value); the URL names the tenant, so a webhook signed for one tenant is refused at another's. JSON bodies carry a bodySHA256 query parameter (hex SHA-256 of the body) and the signature covers the URL alone. With TWILIO_ACCOUNT_SID set, the AccountSid must be that account. The signature is checked before the tenant and before any database work; the rate limit is then charged to the tenant when verified and to the client address otherwise. Stored once per (tenant, meaning of the body: decoded parameters, sorted, repeats removed); repeats are acknowledged.",
                "tags": [
                  "webhooks"
                ],
                "parameters": [
                  {
                    "name": "tenant",
                    "in": "path",
                    "required": true,
                    "description": "The tenant id that `otto-api tenants create` prints.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  {
                    "name": "X-Twilio-Signature",
                    "in": "header",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/x-www-form-urlencoded": {
                      "schema": {
                        "$ref": "#/components/schemas/TwilioCallback"
                      }
                    },
                    "application/json": {
                      "schema": {
                        "type": "object"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored (or a repeat delivery); empty TwiML.",
                    "content": {
                      "text/xml": {
                        "schema": {
                          "type": "string"
                        },
                        "examples": {
                          "example": {
                            "value": "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Bad Request",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/400",
                              "title": "Bad Request",
                              "status": 400,
                              "detail": "The callback has no CallSid.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "Forbidden",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "Forbidden",
                              "status": 403,
                              "detail": "The webhook signature is missing or invalid.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Not Found",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/404",
                              "title": "Not Found",
                              "status": 404,
                              "detail": "No such tenant.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Content Too Large",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/413",
                              "title": "Content Too Large",
                              "status": 413,
                              "detail": "The body is larger than 1048576 bytes.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 3000 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "The webhook could not be stored; retry later.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/webhooks/callrail/{tenant}": {
              "post": {
                "operationId": "callrailWebhook",
                "summary": "CallRail pre-call, call completed and call modified webhooks.",
                "description": "Verified with the `signature` header: base64 HMAC (SHA-1 by default, SHA-256 with CALLRAIL_SIGNATURE_ALGORITHM=sha256) of the raw body. Accepted at a tenant only when it verifies with the tenant's own signing key (the current one, or the previous one inside its rotation window), or, when the tenant has none, with CALLRAIL_SIGNING_KEY and the payload names the tenant's CallRail company (company_resource_id or company_id). Verification reads no database; the rate limit is then charged to the tenant when verified and to the client address otherwise. Stored once per (tenant, canonical JSON of the body). An optional `event` query parameter (pre-call, call-completed, call-modified) names the webhook type.",
                "tags": [
                  "webhooks"
                ],
                "parameters": [
                  {
                    "name": "tenant",
                    "in": "path",
                    "required": true,
                    "description": "The tenant id that `otto-api tenants create` prints.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  {
                    "name": "signature",
                    "in": "header",
                    "required": true,
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "event",
                    "in": "query",
                    "required": false,
                    "schema": {
                      "type": "string",
                      "enum": [
                        "pre-call",
                        "call-completed",
                        "call-modified"
                      ]
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/CallRailWebhook"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored (or a repeat delivery).",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Acknowledged"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "status": "ok"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Bad Request",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/400",
                              "title": "Bad Request",
                              "status": 400,
                              "detail": "The body is not a JSON object.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "Forbidden",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "Forbidden",
                              "status": 403,
                              "detail": "The webhook signature is missing or invalid.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          },
                          "unbound": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "Forbidden",
                              "status": 403,
                              "detail": "Tenant 0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e is not bound to a CallRail company, so its CallRail webhooks cannot be verified: run `otto-api tenants update 0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e --callrail-company-id …` (verified with CALLRAIL_SIGNING_KEY) or `otto-api tenants update 0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e --callrail-signing-key-file …`.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Not Found",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/404",
                              "title": "Not Found",
                              "status": 404,
                              "detail": "No such tenant.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Content Too Large",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/413",
                              "title": "Content Too Large",
                              "status": 413,
                              "detail": "The body is larger than 1048576 bytes.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 3000 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "The webhook could not be stored; retry later.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/me": {
              "get": {
                "operationId": "me",
                "summary": "The authenticated caller.",
                "tags": [
                  "tenant"
                ],
                "security": [
                  {
                    "clerkSession": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The caller and its tenant.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Me"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "user_id": "user_2abc",
                              "org_id": "org_2xyz",
                              "tenant_id": "0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e"
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Unauthorized",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/401",
                              "title": "Unauthorized",
                              "status": 401,
                              "detail": "A valid session token is required.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "Forbidden",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "Forbidden",
                              "status": 403,
                              "detail": "The session has no organisation.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 600 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "The tenant could not be resolved; retry shortly.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/calls": {
              "get": {
                "operationId": "listCalls",
                "summary": "The tenant's calls, newest first, with cursor pagination.",
                "tags": [
                  "tenant"
                ],
                "security": [
                  {
                    "clerkSession": []
                  }
                ],
                "parameters": [
                  {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 100,
                      "default": 50
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "description": "next_cursor of the previous page.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  {
                    "name": "status",
                    "in": "query",
                    "schema": {
                      "$ref": "#/components/schemas/CallStatus"
                    }
                  },
                  {
                    "name": "from",
                    "in": "query",
                    "description": "Calls that started (or were created) at or after this time.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "description": "Calls that started (or were created) before this time.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "One page.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/CallPage"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "data": [
                                {
                                  "id": "6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70",
                                  "provider": "twilio",
                                  "provider_call_id": "CA0123456789abcdef0123456789abcdef",
                                  "direction": "inbound",
                                  "from_number": "+15551234567",
                                  "to_number": "+15557654321",
                                  "tracking_number": null,
                                  "status": "completed",
                                  "started_at": "2026-01-31T12:00:00Z",
                                  "ended_at": "2026-01-31T12:02:05Z",
                                  "duration_seconds": 125,
                                  "recording_url": "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE00000000000000000000000000000000",
                                  "created_at": "2026-01-31T12:00:01Z",
                                  "updated_at": "2026-01-31T12:02:06Z"
                                }
                              ],
                              "next_cursor": "MjAyNi0wMS0zMSAxMjowMDowMCswMHw2ZjFjMmI4ZS0zYTRkLTRjNWUtOWYxMC0yYjNjNGQ1ZTZmNzA"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Bad Request",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/400",
                              "title": "Bad Request",
                              "status": 400,
                              "detail": "limit must be an integer from 1 to 100.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Unauthorized",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/401",
                              "title": "Unauthorized",
                              "status": 401,
                              "detail": "A valid session token is required.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "No active organisation",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "No active organisation",
                              "status": 403,
                              "detail": "The session has no active organisation; select one in the client and retry.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 600 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "The database is unavailable; retry later.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/calls/{id}": {
              "get": {
                "operationId": "getCall",
                "summary": "One call.",
                "tags": [
                  "tenant"
                ],
                "security": [
                  {
                    "clerkSession": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The call id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The call.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Call"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "id": "6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70",
                              "provider": "twilio",
                              "provider_call_id": "CA0123456789abcdef0123456789abcdef",
                              "direction": "inbound",
                              "from_number": "+15551234567",
                              "to_number": "+15557654321",
                              "tracking_number": null,
                              "status": "completed",
                              "started_at": "2026-01-31T12:00:00Z",
                              "ended_at": "2026-01-31T12:02:05Z",
                              "duration_seconds": 125,
                              "recording_url": "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Recordings/RE00000000000000000000000000000000",
                              "created_at": "2026-01-31T12:00:01Z",
                              "updated_at": "2026-01-31T12:02:06Z"
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Unauthorized",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/401",
                              "title": "Unauthorized",
                              "status": 401,
                              "detail": "A valid session token is required.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "No active organisation",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "No active organisation",
                              "status": 403,
                              "detail": "The session has no active organisation; select one in the client and retry.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Not Found",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/404",
                              "title": "Not Found",
                              "status": 404,
                              "detail": "No such call.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 600 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "The database is unavailable; retry later.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/calls/{id}/reprocess": {
              "post": {
                "operationId": "reprocessCall",
                "summary": "Enqueue processing of the call's latest webhook event again.",
                "description": "Honours Idempotency-Key: a repeat with the same key returns the first answer.",
                "tags": [
                  "tenant"
                ],
                "security": [
                  {
                    "clerkSession": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The call id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": false,
                    "schema": {
                      "type": "string",
                      "maxLength": 255
                    }
                  }
                ],
                "requestBody": {
                  "required": false,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ReprocessRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "202": {
                    "description": "Enqueued.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TaskAccepted"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "task_id": "3c9d2e1f-0a4b-4c5d-8e6f-7a8b9c0d1e2f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "Bad Request",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/400",
                              "title": "Bad Request",
                              "status": 400,
                              "detail": "The body must be a JSON object such as {\"reason\": \"…\"}.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Unauthorized",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/401",
                              "title": "Unauthorized",
                              "status": 401,
                              "detail": "A valid session token is required.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "No active organisation",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "No active organisation",
                              "status": 403,
                              "detail": "The session has no active organisation; select one in the client and retry.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Not Found",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/404",
                              "title": "Not Found",
                              "status": 404,
                              "detail": "No such call.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "409": {
                    "description": "Conflict",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/409",
                              "title": "Conflict",
                              "status": 409,
                              "detail": "A request with this Idempotency-Key is still being processed.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds to wait before retrying.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "Content Too Large",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/413",
                              "title": "Content Too Large",
                              "status": 413,
                              "detail": "The request body exceeds the limit of 1048576 bytes.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "422": {
                    "description": "Unprocessable Content",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/422",
                              "title": "Unprocessable Content",
                              "status": 422,
                              "detail": "This Idempotency-Key was used with a different request (method, path or body).",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 600 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "The task queue is unavailable; retry later.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/v1/tasks/{id}": {
              "get": {
                "operationId": "getTask",
                "summary": "The state of a task this tenant enqueued.",
                "tags": [
                  "tenant"
                ],
                "security": [
                  {
                    "clerkSession": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The task id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The task.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TaskState"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "id": "3c9d2e1f-0a4b-4c5d-8e6f-7a8b9c0d1e2f",
                              "name": "process_webhook_event",
                              "state": "succeeded",
                              "attempt": 1,
                              "result": {
                                "call_id": "6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70",
                                "status": "completed"
                              },
                              "error": null,
                              "enqueued_at": 1769860800.123,
                              "finished_at": 1769860800.456
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "description": "Unauthorized",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/401",
                              "title": "Unauthorized",
                              "status": 401,
                              "detail": "A valid session token is required.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "403": {
                    "description": "No active organisation",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/403",
                              "title": "No active organisation",
                              "status": 403,
                              "detail": "The session has no active organisation; select one in the client and retry.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "Not Found",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/404",
                              "title": "Not Found",
                              "status": 404,
                              "detail": "No such task.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Too Many Requests",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/429",
                              "title": "Too Many Requests",
                              "status": 429,
                              "detail": "Rate limit of 600 requests per 60 s exceeded.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "description": "Seconds until the bucket admits a request again.",
                        "required": true,
                        "schema": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Service Unavailable",
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        },
                        "examples": {
                          "example": {
                            "value": {
                              "type": "https://otto.dev/problems/503",
                              "title": "Service Unavailable",
                              "status": 503,
                              "detail": "Task state is unavailable; retry later.",
                              "request_id": "9f2c1a7e4b3d4e5f"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "clerkSession": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A Clerk session token of a user in an organisation."
              },
              "internalToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "INTERNAL_API_TOKEN (loopback callers need none)."
              }
            },
            "schemas": {
              "Problem": {
                "type": "object",
                "required": [
                  "type",
                  "title",
                  "status",
                  "detail",
                  "request_id"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "format": "uri"
                  },
                  "title": {
                    "type": "string"
                  },
                  "status": {
                    "type": "integer"
                  },
                  "detail": {
                    "type": "string"
                  },
                  "request_id": {
                    "type": "string"
                  }
                }
              },
              "Health": {
                "type": "object",
                "required": [
                  "status",
                  "timestamp",
                  "service"
                ],
                "additionalProperties": false,
                "properties": {
                  "status": {
                    "const": "healthy"
                  },
                  "timestamp": {
                    "type": "integer"
                  },
                  "service": {
                    "const": "otto-api"
                  }
                }
              },
              "Readiness": {
                "type": "object",
                "required": [
                  "ready",
                  "components",
                  "timestamp",
                  "duration_ms",
                  "service"
                ],
                "properties": {
                  "ready": {
                    "type": "boolean"
                  },
                  "components": {
                    "type": "object",
                    "properties": {
                      "database": {
                        "type": "boolean"
                      },
                      "redis": {
                        "type": "boolean"
                      },
                      "celery_workers": {
                        "type": "boolean"
                      }
                    },
                    "additionalProperties": false
                  },
                  "timestamp": {
                    "type": "integer"
                  },
                  "duration_ms": {
                    "type": "number"
                  },
                  "service": {
                    "const": "otto-api"
                  }
                }
              },
              "Fleet": {
                "type": "object",
                "required": [
                  "workers",
                  "queues"
                ],
                "properties": {
                  "workers": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "id",
                        "host",
                        "pid",
                        "queues",
                        "concurrency",
                        "in_flight",
                        "processed",
                        "failed",
                        "age_s"
                      ],
                      "properties": {
                        "id": {
                          "type": "string"
                        },
                        "host": {
                          "type": "string"
                        },
                        "pid": {
                          "type": "integer"
                        },
                        "queues": {
                          "type": "array",
                          "items": {
                            "type": "string"
                          }
                        },
                        "concurrency": {
                          "type": "integer"
                        },
                        "in_flight": {
                          "type": "integer"
                        },
                        "processed": {
                          "type": "integer"
                        },
                        "failed": {
                          "type": "integer"
                        },
                        "age_s": {
                          "type": "number"
                        }
                      }
                    }
                  },
                  "queues": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "object",
                      "required": [
                        "waiting",
                        "pending",
                        "delayed",
                        "dead"
                      ],
                      "properties": {
                        "waiting": {
                          "type": "integer"
                        },
                        "pending": {
                          "type": "integer"
                        },
                        "delayed": {
                          "type": "integer"
                        },
                        "dead": {
                          "type": "integer"
                        }
                      }
                    }
                  }
                }
              },
              "TwilioCallback": {
                "type": "object",
                "required": [
                  "CallSid"
                ],
                "properties": {
                  "CallSid": {
                    "type": "string"
                  },
                  "AccountSid": {
                    "type": "string"
                  },
                  "CallStatus": {
                    "type": "string"
                  },
                  "Direction": {
                    "type": "string"
                  },
                  "From": {
                    "type": "string"
                  },
                  "To": {
                    "type": "string"
                  },
                  "CallDuration": {
                    "type": "string"
                  },
                  "Timestamp": {
                    "type": "string"
                  },
                  "RecordingUrl": {
                    "type": "string"
                  },
                  "RecordingSid": {
                    "type": "string"
                  },
                  "RecordingStatus": {
                    "type": "string"
                  }
                }
              },
              "CallRailWebhook": {
                "type": "object",
                "properties": {
                  "id": {
                    "type": [
                      "string",
                      "integer"
                    ]
                  },
                  "resource_id": {
                    "type": "string"
                  },
                  "direction": {
                    "type": "string"
                  },
                  "answered": {
                    "type": [
                      "boolean",
                      "null"
                    ]
                  },
                  "customer_phone_number": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "tracking_phone_number": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "business_phone_number": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "start_time": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "duration": {
                    "type": [
                      "integer",
                      "string",
                      "null"
                    ]
                  },
                  "recording": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                }
              },
              "Acknowledged": {
                "type": "object",
                "required": [
                  "status"
                ],
                "properties": {
                  "status": {
                    "const": "ok"
                  }
                }
              },
              "Me": {
                "type": "object",
                "required": [
                  "user_id",
                  "org_id",
                  "tenant_id"
                ],
                "properties": {
                  "user_id": {
                    "type": "string"
                  },
                  "org_id": {
                    "type": "string"
                  },
                  "tenant_id": {
                    "type": "string",
                    "format": "uuid"
                  }
                }
              },
              "CallStatus": {
                "type": "string",
                "enum": [
                  "unknown",
                  "queued",
                  "initiated",
                  "ringing",
                  "in-progress",
                  "completed",
                  "busy",
                  "failed",
                  "no-answer",
                  "canceled"
                ]
              },
              "Call": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "id",
                  "provider",
                  "provider_call_id",
                  "status",
                  "created_at",
                  "updated_at"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "provider": {
                    "enum": [
                      "twilio",
                      "callrail"
                    ]
                  },
                  "provider_call_id": {
                    "type": "string"
                  },
                  "direction": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "from_number": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "E.164"
                  },
                  "to_number": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "E.164"
                  },
                  "tracking_number": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "E.164"
                  },
                  "status": {
                    "$ref": "#/components/schemas/CallStatus"
                  },
                  "started_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "ended_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "duration_seconds": {
                    "type": [
                      "integer",
                      "null"
                    ]
                  },
                  "recording_url": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "updated_at": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "CallPage": {
                "type": "object",
                "required": [
                  "data"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Call"
                    }
                  },
                  "next_cursor": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                }
              },
              "ReprocessRequest": {
                "type": "object",
                "properties": {
                  "reason": {
                    "type": "string",
                    "maxLength": 500,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Why the call is processed again (kept in the task's arguments and log)."
                  }
                }
              },
              "TaskAccepted": {
                "type": "object",
                "required": [
                  "task_id"
                ],
                "properties": {
                  "task_id": {
                    "type": "string"
                  }
                }
              },
              "TaskState": {
                "type": "object",
                "required": [
                  "id",
                  "name",
                  "state",
                  "attempt"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "name": {
                    "type": "string"
                  },
                  "state": {
                    "enum": [
                      "queued",
                      "running",
                      "succeeded",
                      "failed",
                      "dead"
                    ]
                  },
                  "attempt": {
                    "type": "integer"
                  },
                  "result": {},
                  "error": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "enqueued_at": {
                    "type": [
                      "number",
                      "null"
                    ]
                  },
                  "finished_at": {
                    "type": [
                      "number",
                      "null"
                    ]
                  }
                }
              }
            }
          }
        }
        """#
}
