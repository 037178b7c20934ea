import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller.js';

/** The API's own description (GET /api/openapi.json). */
@Module({ controllers: [OpenApiController] })
export class ApiDocsModule {}
