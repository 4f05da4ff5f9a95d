import { Body, Controller, Get, Logger, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { IsDefined } from 'class-validator';
import { IsPlainText } from '../../src/common/validators.js';

/**
 * A module as the team would write a new one, and nothing more: a controller, a DTO with
 * class-validator rules, a logger. No guard, filter, metric or OpenAPI decorator of its own:
 * test/extending.e2e-spec.ts shows what it gets from the application for free.
 */
class CreateNoteDto {
  @IsDefined({ message: 'text is required' })
  @IsPlainText(200)
  text!: string;
}

@Controller('notes')
class NotesController {
  private readonly logger = new Logger(NotesController.name);

  @Post()
  create(@Body() note: CreateNoteDto): { id: number; text: string } {
    this.logger.log(`note of ${note.text.length} characters`);
    return { id: 1, text: note.text };
  }

  @Get(':id')
  read(@Param('id', ParseIntPipe) id: number): { id: number } {
    if (id === 13) throw new Error('a bug in the notes module');
    return { id };
  }
}

@Module({ controllers: [NotesController] })
export class NotesModule {}
