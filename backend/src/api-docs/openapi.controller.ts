import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from '@zt-demo/api-contract';

/** The API's OpenAPI 3.1 document, made from the API contract (backend/contract) the routes validate with. */
@Controller('api')
export class OpenApiController {
  private readonly document = openApiDocument();

  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.document;
  }
}
